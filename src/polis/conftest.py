"""Fixtures every app's tests share. People follow Healthchecks' habit: alice is the insured
whose data it is, bob is another insured (the outsider), and staff are named by their role."""

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone

from polis.accounts.models import Role, User
from polis.coverage.models import InsuredPerson, Policy, Relation
from polis.testing import factories as f

MOSCOW_NOON = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[mock.MagicMock]:
    """The clock stands at 20.11.2026 12:00 Moscow unless a test moves it (frozen_now.return_value)."""
    # Django's own clock too: model defaults hold `clock.now` itself (bound at import), and it
    # asks timezone.now() at call time — so one mock moves every "now" in the process.
    with (
        mock.patch("polis.clock.now", return_value=MOSCOW_NOON) as now,
        mock.patch("django.utils.timezone.now", new=now),
    ):
        yield now


@pytest.fixture
def alice(db: None) -> User:
    """An insured with an account, her own policy and her son's policy (she is its holder)."""
    user = f.UserFactory(email="alice@example.ru", phone="+79161234567", last_name="Смирнова", first_name="Ирина")
    person = f.InsuredPersonFactory(user=user, phone="+79161234567", email="alice@example.ru")
    policy = f.PolicyFactory(insured=person, number="001-0000001", personnel_number="T-1001")
    son = f.InsuredPersonFactory(first_name="Артём", patronymic="Андреевич", birth_date=dt.date(2015, 6, 1), sex="m")
    f.PolicyFactory(insured=son, holder=person, relation=Relation.CHILD, program=policy.program, number="001-0000002")
    return user


@pytest.fixture
def alice_person(alice: User) -> InsuredPerson:
    return alice.insured_records.get()


@pytest.fixture
def alice_policy(alice: User) -> Policy:
    return Policy.objects.get(number="001-0000001")


@pytest.fixture
def bob(db: None) -> User:
    """Another insured, on another contract: the outsider for alice's data."""
    user = f.UserFactory(email="bob@example.ru", phone="+79031112233", last_name="Кузнецов", first_name="Борис")
    person = f.InsuredPersonFactory(
        user=user, last_name="Кузнецов", first_name="Борис", patronymic="Олегович", sex="m",
        birth_date=dt.date(1979, 9, 30),
    )  # fmt: skip
    f.PolicyFactory(insured=person, number="002-0000001")
    return user


@pytest.fixture
def hr_user(alice_policy: Policy) -> User:
    """The administrator of alice's contract."""
    user = f.UserFactory(email="hr@example.ru", phone=None, role=Role.HR)
    alice_policy.contract.administrators.add(user)
    return user


@pytest.fixture
def desk_user(db: None) -> User:
    return f.UserFactory(email="desk@example.ru", phone=None, role=Role.DESK)


@pytest.fixture
def clinic_user(db: None) -> User:
    return f.UserFactory(email="clinic@example.ru", phone=None, role=Role.CLINIC, clinic=f.ClinicFactory())


@pytest.fixture
def backoffice_user(db: None) -> User:
    return f.UserFactory(email="back@example.ru", phone=None, role=Role.BACKOFFICE, is_staff=True, is_superuser=True)


def aware(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_fixed_timezone(180))


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    import shutil

    return os.environ.get("POLIS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def live_server(django_db_setup, django_db_blocker, live_server):
    """pytest-django's live server, stopped before the test database is dropped. It answers each
    request in a thread with its own connection, closed when the request is; a request the
    browser kept alive when the server stopped leaves its connection open, and PostgreSQL then
    refuses to drop the database. Once the server is down nothing else uses those: close them."""
    yield live_server
    from django.db import connection

    if connection.vendor == "postgresql":  # SQLite shares the test's own connection: nothing to close
        live_server.stop()
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def browser_page(live_server, tmp_path):
    """A Playwright page in Debian's headless Chromium (no `playwright install`), pointed at the
    live server. Without a browser the test is skipped — except in CI, where it must run.

    Tests using it need `django_db(transaction=True, serialized_rollback=True)`: a transactional
    test flushes the database, and without the serialized rollback the rows that data migrations
    seed (consent texts, specialties, metro stations) are gone for the tests after it."""
    executable = _chromium_path()
    if executable is None:
        if os.environ.get("POLIS_REQUIRE_BROWSER"):
            pytest.fail("Chromium не найден, а POLIS_REQUIRE_BROWSER требует браузерные тесты")
        pytest.skip("Chromium не установлен: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own ORM reads are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, locale="ru-RU", accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            shots = os.environ.get("POLIS_SCREENSHOTS")
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
            context.close()
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
