"""The demo, loaded once per test module inside a transaction rolled back at the module's end,
at the suite's frozen moment (20.11.2026 12:00 Moscow): the schedule is built from that day."""

from collections.abc import Iterator
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction

from polis.conftest import MOSCOW_NOON


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    # Module fixtures start before the per-test frozen clock: freeze it here as well.
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        mock.patch("polis.clock.now", return_value=MOSCOW_NOON),
    ):
        out = StringIO()
        call_command("demo_data", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded: str, db: None) -> str:
    return loaded
