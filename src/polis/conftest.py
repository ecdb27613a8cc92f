"""Fixtures every app's tests share. People follow Healthchecks' habit: alice is the insured
whose data it is, bob is another insured (the outsider), and staff are named by their role."""

import datetime as dt
from collections.abc import Iterator
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
    with mock.patch("polis.clock.now", return_value=MOSCOW_NOON) as now:
        yield now


@pytest.fixture
def alice(db: None) -> User:
    """An insured with an account, her own policy and her son's policy (she is its holder)."""
    user = f.UserFactory(email="alice@example.ru", phone="+79161234567", last_name="Смирнова", first_name="Ирина")
    person = f.InsuredPersonFactory(user=user, phone="+79161234567", email="alice@example.ru")
    policy = f.PolicyFactory(insured=person, number="001-0000001", personnel_number="T-1001")
    son = f.InsuredPersonFactory(first_name="Артём", patronymic="Андреевич", birth_date=dt.date(2015, 6, 1), sex="m")
    f.PolicyFactory(
        insured=son, holder=person, relation=Relation.CHILD, program=policy.program, number="001-0000002"
    )
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
