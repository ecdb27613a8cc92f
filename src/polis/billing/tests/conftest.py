"""Programs as the three seed insurers set them up, and helpers to move the clock."""

import datetime as dt
from unittest import mock

import pytest

from polis.care.models import DeskContact
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy, Program
from polis.payments.models import Payment, PaymentItem, PaymentPurpose, PaymentStatus
from polis.testing import factories as f

MSK = dt.timezone(dt.timedelta(hours=3))

RESO = {
    "franchise_activation": Method.DEPOSIT,
    "activation_delay_working_days": 3,
    "deposit_per_person_kopecks": 300_00,
    "deposit_minimum_kopecks": 300_00,
    "payment_deadline_days": 5,
}
ALFA = {"franchise_activation": Method.CONSENT, "activation_delay_working_days": 1}
SOGAZ = {"franchise_activation": Method.CARD, "activation_delay_hours": 24}


def set_program(program: Program, **settings: object) -> Program:
    for name, value in settings.items():
        setattr(program, name, value)
    program.save()
    return program


def at_msk(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MSK)


def move_clock(frozen_now: mock.MagicMock, moment: dt.datetime) -> None:
    frozen_now.return_value = moment.astimezone(dt.UTC)


@pytest.fixture
def son_policy(alice) -> Policy:
    return Policy.objects.get(number="001-0000002")


@pytest.fixture
def desk(db) -> DeskContact:
    return DeskContact.objects.create(city="Москва", title="Пульт в Москве", phone="+7 495 777-00-00")


def paid_deposit(policy: Policy, amount: int = 300_00, user=None, when: dt.datetime | None = None) -> Payment:
    """A deposit payment that succeeded, with its ledger entry, as payments books it."""
    from polis.payments.models import LedgerAccount, LedgerEntry

    user = user or (policy.holder.user if policy.holder else policy.insured.user)
    payment = Payment.objects.create(
        user=user,
        purpose=PaymentPurpose.DEPOSIT,
        amount_kopecks=amount,
        description="Аванс",
        status=PaymentStatus.SUCCEEDED,
        gateway="sandbox",
        subject_key=f"deposit:test:{policy.pk}:{Payment.objects.count()}",
        succeeded_at=when or dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
    )
    PaymentItem.objects.create(payment=payment, policy=policy, amount_kopecks=amount, description="Аванс")
    LedgerEntry.objects.create(
        account=LedgerAccount.DEPOSIT, policy=policy, amount_kopecks=amount, payment=payment, memo="Аванс"
    )
    return payment


def renewal_of(policy: Policy, **overrides: object) -> Policy:
    """The same person's next term on the same contract."""
    fields = {
        "insured": policy.insured,
        "holder": policy.holder,
        "relation": policy.relation,
        "program": policy.program,
        "contract": policy.contract,
        "starts_on": dt.date(2027, 1, 1),
        "ends_on": dt.date(2027, 12, 31),
        "issued_on": dt.date(2026, 12, 20),
    }
    fields.update(overrides)
    return f.PolicyFactory(**fields)
