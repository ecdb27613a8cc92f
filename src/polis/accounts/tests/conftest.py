"""Helpers for the accounts tests: a person on the insurer's lists without an account yet, and
reading codes from the outbox the way the browser test does."""

import datetime as dt
import re
from typing import Any

import pytest

from polis.coverage.models import InsuredPerson
from polis.notify.models import OutboundMessage
from polis.testing import factories as f

PASSWORD = "Kedr-Sosna-1984"


@pytest.fixture
def petrov(db: None) -> InsuredPerson:
    """An employee on the insurer's lists who has not registered yet."""
    person = f.InsuredPersonFactory(
        last_name="Петров", first_name="Сергей", patronymic="Иванович", birth_date=dt.date(1985, 3, 14), sex="m"
    )
    f.PolicyFactory(insured=person, number="003-0000042", personnel_number="ТН-7781")
    return person


def registration_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "last_name": "Петров",
        "first_name": "Сергей",
        "patronymic": "Иванович",
        "birth_date": dt.date(1985, 3, 14),
        "policy_number": "003-0000042",
        "phone": "8 (926) 555-44-33",
        "email": "petrov@example.ru",
        "password": PASSWORD,
        "marketing_consent": False,
        "ip": "192.0.2.10",
    }
    data.update(overrides)
    return data


def last_code(recipient: str) -> str:
    """The code in the newest SMS or e-mail to this recipient, as a person would read it."""
    message = OutboundMessage.objects.filter(recipient=recipient).order_by("-pk").first()
    assert message is not None, f"nothing was sent to {recipient}"
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match is not None, message.body
    return match.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
