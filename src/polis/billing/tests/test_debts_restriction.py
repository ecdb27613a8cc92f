"""The contract's consequence of an unpaid overdue invoice: franchise clinics suspended, or only
emergency care; derived from the invoices, so paying restores access at once."""

import datetime as dt

import pytest

from polis.billing.debts.services import debt_restriction
from polis.billing.disputes.services import dispute_submit
from polis.billing.models import CopayInvoice, FranchiseActivation, InvoiceStatus, RegistryLine
from polis.billing.selectors import State, franchise_status
from polis.coverage.franchise import franchise_active
from polis.coverage.models import AccessMode, Policy
from polis.network.access import clinic_access, clinics_access
from polis.network.models import KindOfCare
from polis.network.tests.booking_factories import online_clinic
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]
TODAY = dt.date(2026, 11, 20)


def franchise_program(policy: Policy, consequence: str) -> None:
    program = policy.program
    program.franchise_activation = "consent"
    program.non_payment_consequence = consequence
    program.save()
    FranchiseActivation.objects.create(
        policy=policy,
        method="consent",
        requested_by=(policy.holder or policy.insured).user,
        effective_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def overdue(policy: Policy, *, due_on: dt.date = dt.date(2026, 11, 19), copays=(300_00, 200_00)) -> CopayInvoice:
    return f.invoice_with_lines(policy=policy, copays=list(copays), due_on=due_on)


def pay(invoice: CopayInvoice, amount: int | None = None) -> None:
    invoice.paid_kopecks += invoice.due_kopecks if amount is None else amount
    if invoice.paid_kopecks >= invoice.due_kopecks:
        invoice.status = InvoiceStatus.PAID
    invoice.save()


@pytest.fixture
def suspend(alice_policy: Policy) -> Policy:
    franchise_program(alice_policy, "suspend")
    return alice_policy


@pytest.fixture
def emergency_only(alice_policy: Policy) -> Policy:
    franchise_program(alice_policy, "emergency_only")
    return alice_policy


# ── suspend ──────────────────────────────────────────────────────────────────────────────────


def test_an_overdue_invoice_suspends_franchise_clinics(suspend):
    invoice = overdue(suspend)

    assert debt_restriction(policy=suspend, on=TODAY) == "suspend"
    assert not franchise_active(policy=suspend, on=TODAY)
    status = franchise_status(policy=suspend)
    assert status.state == State.SUSPENDED
    assert status.badge == "err"
    assert f"№ {invoice.number}" in status.label
    assert "оплатите 500,00\xa0₽" in status.label
    assert status.link == "/my/invoices/"


def test_on_the_due_date_itself_nothing_is_restricted_yet(suspend):
    overdue(suspend, due_on=TODAY)

    assert debt_restriction(policy=suspend, on=TODAY) is None
    assert franchise_active(policy=suspend, on=TODAY)
    assert franchise_status(policy=suspend).state == State.ACTIVE
    assert debt_restriction(policy=suspend, on=TODAY + dt.timedelta(days=1)) == "suspend"


def test_paying_restores_access_at_once(suspend):
    invoice = overdue(suspend)

    pay(invoice, 400_00)
    assert franchise_status(policy=suspend).state == State.SUSPENDED
    assert "оплатите 100,00\xa0₽" in franchise_status(policy=suspend).label

    pay(invoice, 100_00)
    assert debt_restriction(policy=suspend, on=TODAY) is None
    assert franchise_active(policy=suspend, on=TODAY)
    assert franchise_status(policy=suspend).state == State.ACTIVE


def test_an_invoice_under_an_open_dispute_does_not_trigger_the_consequence(alice, suspend):
    invoice = overdue(suspend)
    line = RegistryLine.objects.filter(registry=invoice.registry).first()

    dispute_submit(user=alice, line_id=line.pk, kind="not_provided", comment="Не был")

    assert debt_restriction(policy=suspend, on=TODAY) is None
    assert franchise_active(policy=suspend, on=TODAY)


def test_a_cancelled_invoice_owes_nothing(suspend):
    invoice = overdue(suspend)
    CopayInvoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.CANCELLED)

    assert debt_restriction(policy=suspend, on=TODAY) is None


def test_a_contract_without_a_consequence_restricts_nothing(alice_policy):
    franchise_program(alice_policy, "")
    overdue(alice_policy)

    assert debt_restriction(policy=alice_policy, on=TODAY) is None
    assert franchise_active(policy=alice_policy, on=TODAY)


def test_a_relatives_debt_restricts_the_relative_only(alice_policy, suspend):
    son = Policy.objects.get(number="001-0000002")
    FranchiseActivation.objects.create(
        policy=son,
        method="consent",
        requested_by=alice_policy.insured.user,
        effective_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    overdue(son)

    assert debt_restriction(policy=son, on=TODAY) == "suspend"
    assert debt_restriction(policy=suspend, on=TODAY) is None
    assert franchise_active(policy=suspend, on=TODAY)


def test_a_suspended_person_is_sent_to_the_desk_for_franchise_clinics_only(suspend):
    invoice = overdue(suspend)
    franchise = online_clinic(suspend.program, is_franchise=True, name="С франшизой")
    plain = online_clinic(suspend.program, name="Без франшизы")

    access = clinics_access(policy=suspend, clinics=[franchise, plain])

    closed = access[franchise.pk].for_kind(KindOfCare.OUTPATIENT)
    assert (closed.mode, closed.online_allowed) == ("desk", False)
    assert closed.reason.startswith(
        f"Запись в клиники с франшизой приостановлена до оплаты счёта по франшизе № {invoice.number}"
    )
    assert access[plain.pk].for_kind(KindOfCare.OUTPATIENT).online_allowed

    pay(invoice)
    assert clinic_access(policy=suspend, clinic=franchise).for_kind(KindOfCare.OUTPATIENT).online_allowed


# ── emergency only ───────────────────────────────────────────────────────────────────────────


def test_emergency_only_refuses_planned_care_everywhere_with_the_reason(emergency_only):
    invoice = overdue(emergency_only)
    clinic = online_clinic(emergency_only.program)
    f.ProgramClinicFactory(
        program=emergency_only.program, clinic=clinic, kind=KindOfCare.EMERGENCY, access_mode=AccessMode.REGISTRY
    )

    access = clinic_access(policy=emergency_only, clinic=clinic)

    planned = access.for_kind(KindOfCare.OUTPATIENT)
    dental = access.for_kind(KindOfCare.DENTAL)
    emergency = access.for_kind(KindOfCare.EMERGENCY)
    expected = f"Плановая помощь приостановлена до оплаты счёта по франшизе № {invoice.number}"
    assert planned.refused and not planned.online_allowed and planned.reason.startswith(expected)
    assert dental.refused and dental.reason.startswith(expected)
    assert not emergency.refused and emergency.mode == "registry" and emergency.reason != planned.reason
    assert not access.online_allowed
    assert access.summary.startswith(expected)
    assert "скорая медицинская помощь" in access.summary
    # Franchise clinics are not "suspended" under this consequence: the franchise stays active.
    assert franchise_active(policy=emergency_only, on=TODAY)
    assert franchise_status(policy=emergency_only).state == State.ACTIVE


def test_paying_the_debt_reopens_planned_care(emergency_only):
    invoice = overdue(emergency_only)
    clinic = online_clinic(emergency_only.program)
    assert not clinic_access(policy=emergency_only, clinic=clinic).online_allowed

    pay(invoice)

    outpatient = clinic_access(policy=emergency_only, clinic=clinic).for_kind(KindOfCare.OUTPATIENT)
    assert outpatient.online_allowed and not outpatient.refused


def test_online_booking_is_refused_with_the_reason(alice, emergency_only):
    from polis.network.booking import BookingError, booking_create
    from polis.network.tests.booking_factories import DoctorFactory, slot_at

    invoice = overdue(emergency_only)
    doctor = DoctorFactory(clinic=online_clinic(emergency_only.program))
    slot = slot_at(doctor, TODAY + dt.timedelta(days=3), 10)

    with pytest.raises(BookingError) as refusal:
        booking_create(user=alice, policy_id=emergency_only.pk, slot_id=slot.pk)

    assert f"Плановая помощь приостановлена до оплаты счёта по франшизе № {invoice.number}" in refusal.value.message
