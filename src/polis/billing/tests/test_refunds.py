"""Applications for the deposit back on exit: who may apply, what is owed first, the refunds."""

import datetime as dt
from unittest import mock

import pytest
from django.http import Http404

from polis.billing.models import RefundApplication
from polis.billing.selectors import franchise_people
from polis.billing.services import (
    FranchiseError,
    deposit_carry_over,
    franchise_deposit_start,
    refund_application_submit,
    refund_applications_sync,
)
from polis.billing.tests.conftest import RESO, at_msk, move_clock, renewal_of, set_program
from polis.coverage.models import Policy
from polis.payments import services as payments
from polis.payments.gateways.base import GatewayRejected
from polis.payments.models import Refund
from polis.payments.selectors import deposit_held, ledger_totals


@pytest.fixture
def reso(alice_policy):
    return set_program(alice_policy.program, **RESO)


def _pay(user, *policies):
    started = franchise_deposit_start(user=user, policy_ids=[p.pk for p in policies], return_url="/")
    return payments.payment_apply(payment_id=started.payment.pk, gateway_status="succeeded", method=None)


def _terminate(policy: Policy, on=dt.date(2026, 11, 10)) -> None:
    Policy.objects.filter(pk=policy.pk).update(terminated_on=on, termination_reason="detached")


def test_a_detached_person_gets_the_deposit_back_through_the_gateway(alice, alice_policy, son_policy, reso):
    payment = _pay(alice, alice_policy, son_policy)
    _terminate(alice_policy)

    application = refund_application_submit(user=alice, policy_id=alice_policy.pk)

    assert application.status == "paid"
    assert application.amount_kopecks == 300_00
    [refund] = application.refunds.all()
    assert (refund.payment, refund.policy, refund.amount_kopecks, refund.status) == (
        payment,
        alice_policy,
        300_00,
        "succeeded",
    )
    assert deposit_held(policy=alice_policy) == 0
    assert deposit_held(policy=son_policy) == 300_00
    totals = ledger_totals()
    assert totals["succeeded_payments"] == totals["deposit"] + totals["copay"] + totals["refunded"]
    assert alice.notifications.filter(title="Авансовый платёж возвращён").exists()


def test_applying_twice_gives_the_same_application_and_one_refund(alice, alice_policy, reso):
    _pay(alice, alice_policy)
    _terminate(alice_policy)

    first = refund_application_submit(user=alice, policy_id=alice_policy.pk)
    second = refund_application_submit(user=alice, policy_id=alice_policy.pk)

    assert first.pk == second.pk
    assert second.status == "paid"
    assert Refund.objects.count() == 1
    assert RefundApplication.objects.count() == 1


def test_a_policy_in_force_cannot_apply(alice, alice_policy, reso):
    _pay(alice, alice_policy)

    with pytest.raises(FranchiseError, match="прекращён"):
        refund_application_submit(user=alice, policy_id=alice_policy.pk)
    assert not RefundApplication.objects.exists()


def test_a_renewed_policy_cannot_apply_its_deposit_carries_over(alice, alice_policy, reso):
    _pay(alice, alice_policy)
    Policy.objects.filter(pk=alice_policy.pk).update(ends_on=dt.date(2026, 11, 1))
    renewal_of(alice_policy, starts_on=dt.date(2026, 11, 2))

    with pytest.raises(FranchiseError, match="продлён"):
        refund_application_submit(user=alice, policy_id=alice_policy.pk)


def test_a_policy_without_a_deposit_cannot_apply(alice, alice_policy, reso):
    _terminate(alice_policy)

    with pytest.raises(FranchiseError, match="нет авансового платежа"):
        refund_application_submit(user=alice, policy_id=alice_policy.pk)


def test_an_application_with_co_pay_owed_says_what_is_owed_and_refunds_nothing(alice, alice_policy, reso):
    _pay(alice, alice_policy)
    _terminate(alice_policy)

    with mock.patch("polis.billing.services.refunds.copay_owed", return_value=1_234_50):
        application = refund_application_submit(user=alice, policy_id=alice_policy.pk)

    assert application.status == "submitted"
    assert "задолженность по франшизе — 1\xa0234,50\xa0₽" in application.answer
    assert not Refund.objects.exists()

    # Once the debt is settled the periodic pass pays it.
    refund_applications_sync()
    application.refresh_from_db()
    assert application.status == "paid"


def test_a_carried_over_deposit_goes_back_through_the_payment_of_the_earlier_term(alice, alice_policy, reso):
    payment = _pay(alice, alice_policy)
    renewed = renewal_of(alice_policy, starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2027, 10, 31))
    Policy.objects.filter(pk=alice_policy.pk).update(ends_on=dt.date(2026, 11, 1))
    deposit_carry_over(old_policy=alice_policy, new_policy=renewed)
    _terminate(renewed, on=dt.date(2026, 11, 15))

    application = refund_application_submit(user=alice, policy_id=renewed.pk)

    assert application.status == "paid"
    [refund] = application.refunds.all()
    assert (refund.payment, refund.policy) == (payment, renewed)
    assert deposit_held(policy=renewed) == deposit_held(policy=alice_policy) == 0


def test_a_deposit_paid_in_two_payments_is_refunded_from_both(alice, alice_policy, reso):
    set_program(alice_policy.program, deposit_per_person_kopecks=200_00, deposit_minimum_kopecks=0)
    first = _pay(alice, alice_policy)
    # The contract raised the deposit; the activation was ended and the difference paid.
    alice_policy.franchise_activations.update(ended_at=first.succeeded_at)
    set_program(alice_policy.program, deposit_per_person_kopecks=500_00)
    second = _pay(alice, alice_policy)
    assert second.amount_kopecks == 300_00
    _terminate(alice_policy)

    application = refund_application_submit(user=alice, policy_id=alice_policy.pk)

    assert application.status == "paid"
    assert sorted((r.payment_id, r.amount_kopecks) for r in application.refunds.all()) == sorted(
        [(first.pk, 200_00), (second.pk, 300_00)]
    )


def test_a_refund_the_gateway_refuses_is_retried_without_paying_twice(alice, alice_policy, reso):
    _pay(alice, alice_policy)
    _terminate(alice_policy)

    with (
        mock.patch("polis.payments.gateways.sandbox.SandboxGateway.create_refund", side_effect=GatewayRejected("x")),
        pytest.raises(FranchiseError),
    ):
        refund_application_submit(user=alice, policy_id=alice_policy.pk)
    application = RefundApplication.objects.get()
    assert (application.status, application.refunds_started_at) == ("submitted", None)
    assert "Возврат пока не выполнен" in application.answer

    refund_applications_sync()

    application.refresh_from_db()
    assert application.status == "paid"
    assert Refund.objects.filter(status="succeeded").count() == 1


def test_an_insured_cannot_apply_for_a_strangers_deposit(alice, bob, reso):
    stranger = Policy.objects.get(number="002-0000001")

    with pytest.raises(Http404):
        refund_application_submit(user=alice, policy_id=stranger.pk)


def test_a_claim_left_by_a_process_that_died_is_picked_up_later_without_paying_twice(
    alice, alice_policy, reso, frozen_now
):
    _pay(alice, alice_policy)
    _terminate(alice_policy)
    application = RefundApplication.objects.create(
        policy=alice_policy, applicant=alice, amount_kopecks=300_00, refunds_started_at=at_msk(2026, 11, 20, 11)
    )

    refund_applications_sync()
    application.refresh_from_db()
    assert application.status == "submitted"  # not an hour yet: it may still be working

    move_clock(frozen_now, at_msk(2026, 11, 20, 13))
    refund_applications_sync()
    refund_applications_sync()

    application.refresh_from_db()
    assert application.status == "paid"
    assert Refund.objects.count() == 1


def test_an_ended_term_with_nothing_left_on_it_is_not_listed(alice, alice_policy, son_policy, reso):
    _pay(alice, alice_policy)
    _terminate(alice_policy)
    _terminate(son_policy)

    assert [p.policy for p in franchise_people(user=alice)] == [alice_policy]
