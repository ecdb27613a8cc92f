"""Exactly once under real concurrency: a notification, the return page and reconciliation
applying the same payment at the same moment; two tabs starting the same payment at the same
moment. Real concurrency needs real connections and row locks, so this runs on PostgreSQL only:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polis_payhelper pytest src/polis/payments -k concurrent
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from polis.accounts.models import User
from polis.coverage.models import Policy
from polis.payments import services
from polis.payments.models import LedgerEntry, Payment, PaymentPurpose, PaymentStatus, SandboxPaymentState
from polis.payments.selectors import ledger_totals
from polis.payments.tests.conftest import pay_in_sandbox, start_deposit
from polis.testing import concurrency

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="нужен PostgreSQL: SQLite не пишет параллельно"),
]
THREADS = 6


def _together(count: int, work: Callable[[], Any]) -> list[Any]:
    """`work` in `count` threads released at the same instant; what each raised is collected and
    asserted on below, not swallowed."""
    return concurrency.together(work, count, refusals=(Exception,))


def test_concurrent_applications_of_one_success_book_once_and_call_the_effect_once(alice: User, effects):
    policies = list(Policy.objects.filter(number__in=["001-0000001", "001-0000002"]))
    payment = start_deposit(alice, policies)
    pay_in_sandbox(payment)
    counted = threading.Lock()
    calls: list[Any] = []

    def effect(p: Payment) -> None:
        with counted:
            calls.append(p.pk)

    services.ON_SUCCEEDED[PaymentPurpose.DEPOSIT] = effect

    results = _together(
        THREADS,
        lambda: services.payment_apply(payment_id=payment.pk, gateway_status="succeeded", method=None),
    )

    assert all(isinstance(r, Payment) and r.status == PaymentStatus.SUCCEEDED for r in results), results
    assert calls == [payment.pk]
    assert LedgerEntry.objects.filter(payment=payment).count() == 2
    totals = ledger_totals()
    assert totals["deposit"] == totals["succeeded_payments"] == 600_00


def test_concurrent_refreshes_from_notifications_and_the_return_page_apply_once(alice: User, effects):
    policy = Policy.objects.get(number="001-0000001")
    payment = start_deposit(alice, [policy])
    pay_in_sandbox(payment)

    results = _together(THREADS, lambda: services.payment_refresh(payment_id=payment.pk))

    assert all(isinstance(r, Payment) for r in results), results
    assert len(effects) == 1
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


def test_two_tabs_starting_the_same_payment_at_once_get_one_payment(alice: User):
    policies = list(Policy.objects.filter(number__in=["001-0000001", "001-0000002"]))

    results = _together(THREADS, lambda: start_deposit(alice, policies))

    assert all(isinstance(r, Payment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 1
    assert SandboxPaymentState.objects.count() == 1
    assert all(r.confirmation_url for r in results)


def test_concurrent_refunds_of_the_same_money_return_it_once(alice: User):
    policy = Policy.objects.get(number="001-0000001")
    payment = start_deposit(alice, [policy])
    pay_in_sandbox(payment)
    payment = services.payment_refresh(payment_id=payment.pk)

    results = _together(
        THREADS,
        lambda: services.refund_start(payment=payment, policy=policy, amount_kopecks=300_00, reason="Выход"),
    )

    refunded = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, services.PaymentError)]
    assert len(refunded) == 1 and len(refused) == THREADS - 1, results
    assert ledger_totals()["refunded"] == 300_00
