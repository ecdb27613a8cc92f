"""Reconciliation: the recovery for a crash, a lost notification or a gateway that was slow.

Every pending payment older than a minute and every pending refund is re-read from the gateway
and applied (once, like everything else). A payment that never reached the gateway is canceled
after a while — nobody could have paid it, its page was never shown — unless it is an automatic
charge, which is repeated with the same idempotence key because it may have gone through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from polis import clock
from polis.payments.gateways.base import GatewayError
from polis.payments.models import Payment, PaymentPurpose, PaymentStatus, Refund, RefundStatus
from polis.payments.services.charges import payment_charge_send
from polis.payments.services.common import logger
from polis.payments.services.payments import payment_follow_up, payment_refresh
from polis.payments.services.refunds import refund_refresh

PENDING_AGE = dt.timedelta(minutes=1)
# A payment_start still waiting for a slow gateway is not given up on too soon.
NEVER_STARTED_AGE = dt.timedelta(minutes=15)


@dataclass
class ReconcileReport:
    payments_checked: int = 0
    payments_settled: int = 0
    refunds_checked: int = 0
    refunds_settled: int = 0
    failures: int = 0

    def __str__(self) -> str:
        return (
            f"Платежей сверено: {self.payments_checked}, проведено: {self.payments_settled}; "
            f"возвратов сверено: {self.refunds_checked}, проведено: {self.refunds_settled}; "
            f"ошибок: {self.failures}"
        )


def payments_reconcile() -> ReconcileReport:
    report = ReconcileReport()
    now = clock.now()
    stale = Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lte=now - PENDING_AGE)
    for payment in stale.select_related("card").order_by("created_at").iterator():
        report.payments_checked += 1
        try:
            after = _settle(payment, now)
        except GatewayError as failure:
            report.failures += 1
            logger.warning("reconciliation: payment %s not checked: %r", payment.pk, failure)
            continue
        report.payments_settled += after.status != PaymentStatus.PENDING
    for refund in Refund.objects.filter(status=RefundStatus.PENDING).order_by("created_at").iterator():
        report.refunds_checked += 1
        try:
            after_refund = refund_refresh(refund_id=refund.pk)
        except GatewayError as failure:
            report.failures += 1
            logger.warning("reconciliation: refund %s not checked: %r", refund.pk, failure)
            continue
        report.refunds_settled += after_refund.status != RefundStatus.PENDING
    _return_card_checks()
    return report


def _settle(payment: Payment, now: dt.datetime) -> Payment:
    if payment.gateway_payment_id:
        return payment_refresh(payment_id=payment.pk)
    if payment.card_id is not None:
        return payment_charge_send(payment=payment)
    if payment.created_at <= now - NEVER_STARTED_AGE:
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING, gateway_payment_id__isnull=True).update(
            status=PaymentStatus.CANCELED,
            canceled_at=now,
            cancel_reason=_("Оплата не началась: платёжный сервис не получил платёж."),
        )
        payment.refresh_from_db()
    return payment


def _return_card_checks() -> None:
    """Card checks that succeeded but whose refund was never started (a crash right after)."""
    unreturned = Payment.objects.filter(purpose=PaymentPurpose.CARD_BINDING, status=PaymentStatus.SUCCEEDED).exclude(
        Exists(Refund.objects.filter(payment=OuterRef("pk")).exclude(status=RefundStatus.CANCELED))
    )
    for payment in unreturned.iterator():
        payment_follow_up(payment=payment)
