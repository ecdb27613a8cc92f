"""Activation by the advance deposit (RESO), its carry-over on renewal, and the real sandbox path."""

import datetime as dt
from unittest import mock

import pytest
from django.http import Http404

from polis.billing.models import FranchiseActivation
from polis.billing.services import (
    FranchiseError,
    deposit_carry_over,
    deposit_succeeded,
    franchise_deposit_start,
)
from polis.billing.tests.conftest import RESO, at_msk, move_clock, paid_deposit, renewal_of, set_program
from polis.coverage.franchise import franchise_active
from polis.coverage.models import Policy
from polis.payments import services as payments
from polis.payments.models import LedgerEntry, Payment, PaymentStatus
from polis.payments.selectors import deposit_held, ledger_totals


@pytest.fixture
def reso(alice_policy):
    return set_program(alice_policy.program, **RESO)


@pytest.fixture
def fake_start():
    with mock.patch("polis.payments.services.payment_start") as start:
        start.return_value = mock.Mock(confirmation_url="/payments/sandbox/x/")
        yield start


def test_one_payment_pays_the_deposit_for_each_chosen_person(alice, alice_policy, son_policy, reso, fake_start):
    started = franchise_deposit_start(
        user=alice, policy_ids=[son_policy.pk, alice_policy.pk], return_url="/my/franchise/returned/"
    )

    assert started.payment is fake_start.return_value
    kwargs = fake_start.call_args.kwargs
    assert kwargs["purpose"] == "deposit"
    assert [(i.policy, i.amount_kopecks) for i in kwargs["items"]] == [(alice_policy, 300_00), (son_policy, 300_00)]
    assert kwargs["subject_key"] == f"deposit:policies={alice_policy.pk},{son_policy.pk}"
    assert kwargs["receipt_contact"] == "alice@example.ru"
    assert not FranchiseActivation.objects.exists()


def test_the_subject_is_the_same_whatever_order_the_people_come_in(alice, alice_policy, son_policy, reso, fake_start):
    franchise_deposit_start(user=alice, policy_ids=[alice_policy.pk, son_policy.pk], return_url="/")
    franchise_deposit_start(user=alice, policy_ids=[son_policy.pk, alice_policy.pk], return_url="/")

    first, second = (c.kwargs["subject_key"] for c in fake_start.call_args_list)
    assert first == second


def test_a_payment_below_the_contracts_minimum_is_refused_in_plain_russian(alice, alice_policy, reso, fake_start):
    set_program(alice_policy.program, deposit_minimum_kopecks=600_00)

    with pytest.raises(FranchiseError) as refused:
        franchise_deposit_start(user=alice, policy_ids=[alice_policy.pk], return_url="/")

    assert refused.value.message == (
        "Сумма платежа 300,00\xa0₽ меньше минимального авансового платежа по договору — 600,00\xa0₽. "
        "Отметьте ещё застрахованных."
    )
    fake_start.assert_not_called()


def test_an_insured_cannot_pay_the_deposit_for_a_strangers_policy(alice, bob, reso, fake_start):
    stranger = Policy.objects.get(number="002-0000001")
    set_program(stranger.program, **RESO)

    with pytest.raises(Http404):
        franchise_deposit_start(user=alice, policy_ids=[stranger.pk], return_url="/")
    fake_start.assert_not_called()


def test_the_deposit_handler_activates_each_person_once_however_often_it_is_called(
    alice, alice_policy, son_policy, reso
):
    payment = paid_deposit(alice_policy, user=alice)
    payment.items.create(policy=son_policy, amount_kopecks=300_00, description="Аванс")

    deposit_succeeded(payment)
    deposit_succeeded(payment)

    assert FranchiseActivation.objects.filter(policy=alice_policy).count() == 1
    assert FranchiseActivation.objects.filter(policy=son_policy).count() == 1
    activation = FranchiseActivation.objects.get(policy=son_policy)
    assert (activation.method, activation.payment, activation.requested_by) == ("deposit", payment, alice)
    assert activation.effective_at == at_msk(2026, 11, 25, 0)
    assert alice.notifications.filter(title__startswith="Авансовый платёж получен").count() == 1


def test_a_carry_over_moves_the_deposit_with_two_ledger_entries(alice_policy, reso):
    paid_deposit(alice_policy)
    renewed = renewal_of(alice_policy)

    moved = deposit_carry_over(old_policy=alice_policy, new_policy=renewed)

    assert moved == 300_00
    entries = LedgerEntry.objects.filter(memo="перенос на новый срок").order_by("amount_kopecks")
    assert [(e.policy, e.amount_kopecks, e.account) for e in entries] == [
        (alice_policy, -300_00, "deposit"),
        (renewed, 300_00, "deposit"),
    ]
    assert (deposit_held(policy=alice_policy), deposit_held(policy=renewed)) == (0, 300_00)
    totals = ledger_totals()
    assert totals["succeeded_payments"] == totals["deposit"] + totals["copay"] + totals["refunded"]


def test_a_second_carry_over_moves_nothing(alice_policy, reso):
    paid_deposit(alice_policy)
    renewed = renewal_of(alice_policy)

    deposit_carry_over(old_policy=alice_policy, new_policy=renewed)

    assert deposit_carry_over(old_policy=alice_policy, new_policy=renewed) == 0
    assert LedgerEntry.objects.filter(memo="перенос на новый срок").count() == 2


def test_a_deposit_does_not_carry_over_to_another_person(alice_policy, son_policy, reso):
    paid_deposit(alice_policy)

    with pytest.raises(FranchiseError):
        deposit_carry_over(old_policy=alice_policy, new_policy=son_policy)


def test_a_renewed_person_is_activated_without_paying_and_without_a_gap(
    alice, alice_policy, reso, fake_start, frozen_now
):
    paid = paid_deposit(alice_policy)
    deposit_succeeded(paid)
    renewed = renewal_of(alice_policy)
    move_clock(frozen_now, at_msk(2026, 12, 28, 10))

    started = franchise_deposit_start(user=alice, policy_ids=[renewed.pk], return_url="/")

    fake_start.assert_not_called()
    assert started.payment is None
    [activation] = started.activated
    assert activation.policy == renewed
    assert activation.effective_at == at_msk(2027, 1, 1, 0)
    assert deposit_held(policy=renewed) == 300_00
    assert franchise_active(policy=renewed, on=dt.date(2027, 1, 1))


def test_only_the_people_without_a_deposit_are_charged(alice, alice_policy, son_policy, reso, fake_start):
    paid_deposit(alice_policy)
    renewed = renewal_of(alice_policy)
    son_renewed = renewal_of(son_policy)

    started = franchise_deposit_start(user=alice, policy_ids=[renewed.pk, son_renewed.pk], return_url="/")

    assert [a.policy for a in started.activated] == [renewed]
    assert [(i.policy, i.amount_kopecks) for i in fake_start.call_args.kwargs["items"]] == [(son_renewed, 300_00)]


def test_an_already_activated_person_is_not_charged_again(alice, alice_policy, reso, fake_start):
    deposit_succeeded(paid_deposit(alice_policy))

    started = franchise_deposit_start(user=alice, policy_ids=[alice_policy.pk], return_url="/")

    assert started.payment is None
    assert started.already == [alice_policy]
    fake_start.assert_not_called()


def test_paying_in_the_sandbox_activates_the_franchise_and_books_the_ledger(
    alice, alice_policy, son_policy, reso, frozen_now
):
    started = franchise_deposit_start(
        user=alice, policy_ids=[alice_policy.pk, son_policy.pk], return_url="/my/franchise/returned/"
    )
    payment = started.payment
    assert payment is not None and payment.confirmation_url

    payments.payment_apply(payment_id=payment.pk, gateway_status="succeeded", method=None)
    payments.payment_apply(payment_id=payment.pk, gateway_status="succeeded", method=None)

    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert FranchiseActivation.objects.filter(payment=payment).count() == 2
    assert deposit_held(policy=alice_policy) == deposit_held(policy=son_policy) == 300_00
    assert not franchise_active(policy=alice_policy, on=dt.date(2026, 11, 24))
    move_clock(frozen_now, at_msk(2026, 11, 25, 8))
    assert franchise_active(policy=son_policy, on=dt.date(2026, 11, 25))
