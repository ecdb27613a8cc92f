"""Activation by a card bound for automatic charges (SOGAZ), and unbinding it."""

import datetime as dt
from unittest import mock

import pytest
from django.http import Http404

from polis.billing.models import FranchiseActivation
from polis.billing.services import (
    FranchiseError,
    card_binding_succeeded,
    franchise_card_bind_start,
    franchise_card_unbind,
)
from polis.billing.tests.conftest import SOGAZ, at_msk, set_program
from polis.coverage.franchise import franchise_active
from polis.coverage.models import Policy
from polis.payments import services as payments
from polis.payments.models import Payment, PaymentPurpose, SavedCard
from polis.payments.selectors import ledger_totals


@pytest.fixture
def sogaz(alice_policy):
    return set_program(alice_policy.program, **SOGAZ)


def _bound_card(user, when=None) -> SavedCard:
    payment = Payment.objects.create(
        user=user,
        purpose=PaymentPurpose.CARD_BINDING,
        amount_kopecks=100,
        description="Привязка",
        status="succeeded",
        gateway="sandbox",
        subject_key=f"card:test:{user.pk}",
        succeeded_at=when or at_msk(2026, 11, 1),
    )
    return SavedCard.objects.create(
        user=user, gateway="sandbox", method_id="m-1", title="Visa •••• 4242", agreement_version="2026-11",
        binding_payment=payment,
    )  # fmt: skip


def test_binding_needs_the_agreement_ticked(alice, alice_policy, sogaz):
    with pytest.raises(FranchiseError, match="соглашение об автоплатежах"):
        franchise_card_bind_start(user=alice, policy_ids=[alice_policy.pk], agreed=False, return_url="/")


def test_binding_starts_a_one_ruble_payment_that_saves_the_card(alice, alice_policy, son_policy, sogaz):
    with mock.patch("polis.payments.services.payment_start") as start:
        franchise_card_bind_start(user=alice, policy_ids=[alice_policy.pk, son_policy.pk], agreed=True, return_url="/")

    kwargs = start.call_args.kwargs
    assert (kwargs["purpose"], kwargs["save_card"]) == ("card_binding", True)
    assert sum(i.amount_kopecks for i in kwargs["items"]) == 100
    assert kwargs["subject_key"] == f"card_binding:policies={alice_policy.pk},{son_policy.pk}"


def test_an_insured_cannot_bind_a_card_for_a_strangers_policy(alice, bob, sogaz):
    stranger = Policy.objects.get(number="002-0000001")
    set_program(stranger.program, **SOGAZ)

    with pytest.raises(Http404):
        franchise_card_bind_start(user=alice, policy_ids=[stranger.pk], agreed=True, return_url="/")


def test_the_binding_in_the_sandbox_saves_the_card_and_activates_everyone_chosen_24_hours_later(
    alice, alice_policy, son_policy, sogaz
):
    started = franchise_card_bind_start(
        user=alice, policy_ids=[alice_policy.pk, son_policy.pk], agreed=True, return_url="/my/franchise/returned/"
    )
    payment = started.payment
    assert payment is not None

    payments.payment_apply(
        payment_id=payment.pk,
        gateway_status="succeeded",
        method={"id": "sbx-method-1", "title": "Песочница •••• 4242", "saved": True},
    )

    card = SavedCard.objects.get(user=alice, unbound_at__isnull=True)
    activations = FranchiseActivation.objects.filter(card=card)
    assert {a.policy_id for a in activations} == {alice_policy.pk, son_policy.pk}
    assert {a.effective_at for a in activations} == {at_msk(2026, 11, 21, 12)}
    assert {a.terms_version for a in activations} == {card.agreement_version}
    assert not franchise_active(policy=alice_policy, on=dt.date(2026, 11, 21))
    assert franchise_active(policy=alice_policy, on=dt.date(2026, 11, 22))


def test_the_binding_handler_twice_keeps_one_activation(alice, alice_policy, sogaz):
    card = _bound_card(alice)
    payment = card.binding_payment
    payment.subject_key = f"card_binding:policies={alice_policy.pk}"
    payment.save()

    card_binding_succeeded(payment)
    card_binding_succeeded(payment)

    assert FranchiseActivation.objects.filter(policy=alice_policy).count() == 1


def test_a_binding_whose_card_was_not_saved_activates_nobody(alice, alice_policy, sogaz):
    payment = Payment.objects.create(
        user=alice, purpose="card_binding", amount_kopecks=100, description="x", status="succeeded",
        gateway="sandbox", subject_key=f"card_binding:policies={alice_policy.pk}",
    )  # fmt: skip

    card_binding_succeeded(payment)

    assert not FranchiseActivation.objects.exists()


def test_with_a_card_already_bound_people_are_activated_at_once(alice, son_policy, sogaz):
    card = _bound_card(alice)

    with mock.patch("polis.payments.services.payment_start") as start:
        started = franchise_card_bind_start(user=alice, policy_ids=[son_policy.pk], agreed=True, return_url="/")

    start.assert_not_called()
    [activation] = started.activated
    assert (activation.card, activation.effective_at) == (card, at_msk(2026, 11, 21, 12))


def test_unbinding_the_card_ends_its_activations_from_that_moment(alice, alice_policy, son_policy, sogaz):
    card = _bound_card(alice)
    franchise_card_bind_start(user=alice, policy_ids=[alice_policy.pk, son_policy.pk], agreed=True, return_url="/")

    ended = franchise_card_unbind(user=alice)

    assert ended == 2
    card.refresh_from_db()
    assert card.unbound_at == at_msk(2026, 11, 20, 12)
    assert set(FranchiseActivation.objects.values_list("ended_at", flat=True)) == {at_msk(2026, 11, 20, 12)}
    assert franchise_card_unbind(user=alice) == 0


def test_the_one_ruble_check_is_returned_and_the_ledger_balances(alice, alice_policy, sogaz):
    started = franchise_card_bind_start(user=alice, policy_ids=[alice_policy.pk], agreed=True, return_url="/")
    payment = started.payment
    payments.payment_apply(
        payment_id=payment.pk, gateway_status="succeeded", method={"id": "m", "title": "t", "saved": True}
    )
    payments.payment_follow_up(payment=Payment.objects.get(pk=payment.pk))

    totals = ledger_totals()
    assert totals["deposit"] == 0
    assert totals["succeeded_payments"] == totals["deposit"] + totals["copay"] + totals["refunded"]
