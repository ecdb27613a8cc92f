"""The demo's franchise: each activation style in a state a newcomer can open and try, money that
adds up in the ledger, and the clerk's activation notices. Loaded once for the module at the
suite's frozen moment (Friday 20.11.2026 12:00 Moscow)."""

import datetime as dt
from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command

from polis import calendar
from polis.accounts.models import Role, User
from polis.billing.models import ClinicNotice, FranchiseActivation
from polis.billing.rules import local_midnight
from polis.billing.selectors import State, clinic_notices_for_clerk, franchise_people
from polis.conftest import MOSCOW_NOON
from polis.coverage.franchise import franchise_active
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy, ServiceMode
from polis.demo.franchise_payments import BOUND_CARD_METHOD
from polis.demo.insured import ANNA, PAVEL
from polis.demo.users import DEMO_PASSWORD
from polis.payments.models import Payment, PaymentPurpose, PaymentStatus, Refund, RefundStatus, SavedCard
from polis.payments.selectors import deposit_held, ledger_totals

TODAY = dt.date(2026, 11, 20)


def people_of(email: str) -> dict[str, object]:
    user = User.objects.get(email=email)
    return {p.policy.number: p for p in franchise_people(user=user)}


def deposit_users() -> list[User]:
    return list(
        User.objects.filter(role=Role.INSURED, insured_records__policies__program__code="BASE-AV")
        .distinct()
        .order_by("pk")
    )


def test_a_deposit_style_insured_with_family_can_log_in_and_pay_for_everyone(demo: str) -> None:
    unpaid = [u for u in deposit_users() if not FranchiseActivation.objects.filter(policy__insured__user=u).exists()]
    assert len(unpaid) == 1
    user = unpaid[0]
    assert authenticate(email=user.email, password=DEMO_PASSWORD) == user
    people = franchise_people(user=user)
    assert len(people) >= 2, "the employee and at least one relative"
    for person in people:
        assert person.method == Method.DEPOSIT
        assert (person.status.state, person.deposit_to_pay, person.can_activate) == (State.NOT_ACTIVATED, 300_00, True)
    assert user.email in demo


def test_annas_consent_is_active_her_daughters_takes_effect_on_monday_her_husbands_is_not_given(demo: str) -> None:
    people = people_of("anna.sokolova@example.ru")
    anna, husband, daughter = people[ANNA], people["001-2026-000102"], people["001-2026-000103"]
    assert anna.status.state == State.ACTIVE
    assert daughter.status.state == State.PENDING
    assert daughter.status.activation.effective_at == local_midnight(calendar.next_working_day(TODAY))
    assert husband.status.state == State.NOT_ACTIVATED
    assert franchise_active(policy=anna.policy, on=TODAY)
    assert not franchise_active(policy=daughter.policy, on=TODAY)


def test_pavel_has_a_bound_sandbox_card_bound_through_a_refunded_1_rouble_check(demo: str) -> None:
    pavel = User.objects.get(email="pavel.orlov@example.ru")
    card = SavedCard.objects.get(user=pavel, unbound_at__isnull=True)
    assert (card.method_id, card.title, card.gateway) == (BOUND_CARD_METHOD, "Visa •••• 4242", "sandbox")
    binding = card.binding_payment
    assert (binding.purpose, binding.status, binding.gateway, binding.amount_kopecks) == (
        PaymentPurpose.CARD_BINDING,
        PaymentStatus.SUCCEEDED,
        "sandbox",
        100,
    )
    assert binding.sandbox_state.method_id == BOUND_CARD_METHOD
    assert [(r.amount_kopecks, r.status) for r in binding.refunds.all()] == [(100, RefundStatus.SUCCEEDED)]
    people = people_of("pavel.orlov@example.ru")
    assert people[PAVEL].status.state == State.ACTIVE
    assert people[PAVEL].status.activation.card == card
    assert people["003-2026-000303"].status.state == State.ACTIVE
    assert people["003-2026-000302"].status.state == State.NOT_ACTIVATED
    assert people[PAVEL].deposit_held == 0, "the 1 ₽ check went back"


def test_a_deposit_style_insured_paid_yesterday_and_the_registry_clinic_has_not_confirmed(demo: str) -> None:
    paid = [u for u in deposit_users() if FranchiseActivation.objects.filter(policy__insured__user=u).exists()]
    assert len(paid) == 1
    person = next(iter(people_of(paid[0].email).values()))
    policy = person.policy
    assert policy.service_mode == ServiceMode.REGISTRY and policy.registry_clinic.is_franchise
    assert deposit_held(policy=policy) == 300_00
    payment = Payment.objects.get(items__policy=policy)
    assert (payment.status, payment.gateway, payment.purpose) == ("succeeded", "sandbox", PaymentPurpose.DEPOSIT)
    assert payment.receipt["items"][0]["payment_mode"] == "advance"
    paid_on = payment.succeeded_at.astimezone(MOSCOW_NOON.tzinfo).date()
    assert paid_on == dt.date(2026, 11, 19)
    assert person.status.state == State.PENDING
    assert person.status.activation.effective_at == local_midnight(calendar.add_working_days(dt.date(2026, 11, 19), 3))
    assert [(line.clinic, line.waiting) for line in person.clinics] == [(policy.registry_clinic, True)]


def test_the_clerk_on_krasnaya_presnya_sees_a_waiting_an_overdue_and_a_confirmed_notice(demo: str) -> None:
    clerk = User.objects.get(email="clinic@example.ru")
    notices = list(clinic_notices_for_clerk(clerk=clerk))
    assert clerk.clinic.is_franchise
    assert {n.clinic_id for n in notices} == {clerk.clinic_id}
    waiting = [n for n in notices if n.confirmed_at is None]
    assert any(n.due_on < TODAY for n in waiting), "one overdue"
    assert any(n.due_on >= TODAY for n in waiting), "one still in time"
    confirmed = [n for n in notices if n.confirmed_at is not None]
    assert [n.activation.policy.number for n in confirmed] == [ANNA]
    attached = [n for n in notices if n.activation.policy.registry_clinic_id == clerk.clinic_id]
    assert attached, "a patient attached to the clinic's registry"


def test_every_kopeck_of_the_demo_is_in_the_ledger(demo: str) -> None:
    totals = ledger_totals()
    assert totals["succeeded_payments"] == totals["deposit"] + totals["copay"] + totals["refunded"]
    assert totals["succeeded_payments"] == 300_00 + 100
    assert Refund.objects.filter(status=RefundStatus.SUCCEEDED).count() == 1


def test_every_activation_follows_billings_rule_and_every_notice_has_a_due_date(demo: str) -> None:
    for activation in FranchiseActivation.objects.select_related("policy__program"):
        assert activation.method == activation.policy.program.franchise_activation
        assert activation.effective_at > activation.requested_at
    for notice in ClinicNotice.objects.select_related("activation"):
        sent_on = notice.sent_at.astimezone(MOSCOW_NOON.tzinfo).date()
        assert notice.due_on == calendar.add_working_days(sent_on, 5)


def test_the_logins_block_says_whom_to_log_in_as_to_try_the_franchise(demo: str) -> None:
    assert "Оплата франшизы: " in demo and "/my/franchise/" in demo
    assert "Гарантийный взнос" in demo and "Visa •••• 4242" in demo


def test_loading_again_adds_no_second_franchise_demo(demo: str) -> None:
    before = (FranchiseActivation.objects.count(), Payment.objects.count(), User.objects.count())
    call_command("demo_data", stdout=StringIO())
    assert (FranchiseActivation.objects.count(), Payment.objects.count(), User.objects.count()) == before


def test_the_deposit_style_demo_people_are_real_plant_employees(demo: str) -> None:
    for user in deposit_users():
        policy = Policy.objects.get(insured__user=user)
        assert policy.contract.number == "ДМС-0211/26"
        assert policy.program.deposit_per_person_kopecks == 300_00
