"""Property tests: whatever sequence of payments, declines, refunds and co-pay happens, the
ledger adds up — succeeded payments = deposits held + co-pay paid + refunded — and nobody's
deposit goes below zero."""

import contextlib
import uuid
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polis.money import to_rubles
from polis.payments import services
from polis.payments.models import LedgerAccount, Payment, PaymentPurpose, PaymentStatus
from polis.payments.selectors import deposit_held, ledger_totals
from polis.payments.services import PaymentError
from polis.payments.tests.conftest import pay_in_sandbox

amounts = st.integers(min_value=1, max_value=5_000_00)
pay = st.tuples(
    st.just("pay"),
    st.sampled_from([(0,), (1,), (0, 1)]),
    amounts,
    st.sampled_from(["succeeded", "canceled", "pending"]),
)
copay = st.tuples(st.just("copay"), st.sampled_from([(0,), (1,)]), amounts, st.just("succeeded"))
refund = st.tuples(st.just("refund"), st.integers(min_value=0, max_value=20), st.integers(0, 1), amounts)
steps = st.lists(st.one_of(pay, copay, refund), min_size=1, max_size=12)


def _check(policies) -> None:
    totals = ledger_totals()
    assert totals["succeeded_payments"] == (
        totals[LedgerAccount.DEPOSIT] + totals[LedgerAccount.COPAY] + totals[LedgerAccount.REFUNDED]
    ), totals
    for policy in policies:
        assert deposit_held(policy=policy) >= 0


def _run(step, user, policies, paid: list[Payment]) -> None:
    kind = step[0]
    if kind in ("pay", "copay"):
        _kind, which, amount, outcome = step
        payment = services.payment_start(
            user=user,
            purpose=PaymentPurpose.DEPOSIT if kind == "pay" else PaymentPurpose.COPAY,
            items=[services.ItemSpec(policy=policies[i], amount_kopecks=amount, description="x") for i in which],
            description="x",
            subject_key=uuid.uuid4().hex,
            return_url="/",
            receipt_contact="alice@example.ru",
        )
        if outcome != "pending":
            pay_in_sandbox(payment, outcome)
        # A notification delivered twice and the return page: all apply the same outcome.
        for _ in range(3):
            payment = services.payment_refresh(payment_id=payment.pk)
        if payment.status == PaymentStatus.SUCCEEDED:
            paid.append(payment)
    elif paid:
        _kind, index, which, amount = step
        payment = paid[index % len(paid)]
        # More than is left, or not this person's money: refused — and the check after it proves
        # nothing moved.
        with contextlib.suppress(PaymentError):
            services.refund_start(payment=payment, policy=policies[which], amount_kopecks=amount, reason="x")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_the_ledger_adds_up_after_any_sequence_of_payments_and_refunds(steps, alice, alice_policy, son_policy):
    policies = [alice_policy, son_policy]
    with transaction.atomic():
        paid: list[Payment] = []
        for step in steps:
            _run(step, alice, policies, paid)
            _check(policies)
        transaction.set_rollback(True)


@given(st.integers(min_value=1, max_value=10**12))
def test_an_amount_sent_to_the_gateway_is_exactly_the_kopecks(kopecks):
    text = str(to_rubles(kopecks))
    assert text == f"{kopecks // 100}.{kopecks % 100:02d}"
    assert Decimal(text) * 100 == kopecks
