"""Returning money: the same order as payments — record, commit, call the gateway, apply once.

A refund whose outcome is unknown (timeout) stays pending without a gateway id; reconciliation
repeats the request with the same idempotence key, which the gateway answers with the same
refund rather than a second one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from polis import clock
from polis.coverage.models import Policy
from polis.money import format_rub
from polis.payments import gateways, receipts
from polis.payments.gateways.base import CANCELED, SUCCEEDED, GatewayError, GatewayRejected
from polis.payments.models import (
    LedgerAccount,
    LedgerEntry,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from polis.payments.services.common import BOOKED_ON, ON_REFUND_SUCCEEDED, PaymentError, logger


def refund_start(*, payment: Payment, policy: Policy, amount_kopecks: int, reason: str) -> Refund:
    """Return `amount_kopecks` of a succeeded payment, booked against `policy`. Must not be
    called inside a transaction: it talks to the gateway."""
    if amount_kopecks <= 0:
        raise PaymentError(_("Сумма возврата должна быть больше нуля."))
    with transaction.atomic():
        # The policy row serialises refunds of one person's money, the payment row refunds of
        # one payment: two clicks cannot return the same rubles twice.
        Policy.objects.select_for_update().filter(pk=policy.pk).first()
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        _check_refundable(payment=locked, policy=policy, amount_kopecks=amount_kopecks)
        refund = Refund.objects.create(
            payment=locked, policy=policy, amount_kopecks=amount_kopecks, reason=reason[:200]
        )
        refund.receipt = receipts.refund_receipt(refund)
        refund.save(update_fields=["receipt"])
    return refund_send(refund=refund)


def _check_refundable(*, payment: Payment, policy: Policy, amount_kopecks: int) -> None:
    if payment.status != PaymentStatus.SUCCEEDED:
        raise PaymentError(_("Вернуть можно только прошедший платёж."))
    live = Refund.objects.filter(payment=payment).exclude(status=RefundStatus.CANCELED)
    left = payment.amount_kopecks - (live.aggregate(s=Sum("amount_kopecks"))["s"] or 0)
    if amount_kopecks > left:
        raise PaymentError(
            _("Вернуть можно не больше, чем осталось от платежа: %(left)s.") % {"left": format_rub(max(left, 0))}
        )
    account = BOOKED_ON[payment.purpose]
    held = LedgerEntry.objects.filter(policy=policy, account=account).aggregate(s=Sum("amount_kopecks"))["s"] or 0
    in_flight = (
        Refund.objects.filter(
            policy=policy,
            status=RefundStatus.PENDING,
            payment__purpose__in=[purpose for purpose, on in BOOKED_ON.items() if on == account],
        ).aggregate(s=Sum("amount_kopecks"))["s"]
        or 0
    )
    if amount_kopecks > held - in_flight:
        raise PaymentError(
            _("По полису № %(number)s к возврату доступно %(left)s.")
            % {"number": policy.number, "left": format_rub(max(held - in_flight, 0))}
        )


def refund_send(*, refund: Refund) -> Refund:
    """Ask the gateway for the refund (or ask again, with the same key) and apply its answer."""
    if refund.gateway_refund_id:
        return refund_refresh(refund_id=refund.pk)
    try:
        gateway_id, status = gateways.get(refund.payment.gateway).create_refund(refund)
    except GatewayRejected as refusal:
        logger.warning("refund %s refused by the gateway: %r", refund.pk, refusal)
        refund_apply(refund_id=refund.pk, gateway_status=CANCELED)
        raise PaymentError(_("Платёжный сервис отказал в возврате. Мы разберёмся и свяжемся с вами.")) from refusal
    except GatewayError as failure:
        logger.warning("refund %s: outcome unknown, reconciliation repeats it: %r", refund.pk, failure)
        return refund
    Refund.objects.filter(pk=refund.pk, gateway_refund_id__isnull=True).update(gateway_refund_id=gateway_id)
    return refund_apply(refund_id=refund.pk, gateway_status=status)


def refund_refresh(*, refund_id: Any) -> Refund:
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if not refund.gateway_refund_id:
        return refund_send(refund=refund)
    seen = gateways.get(refund.payment.gateway).fetch_refund(refund.gateway_refund_id)
    return refund_apply(refund_id=refund.pk, gateway_status=seen.status)


def refund_apply(*, refund_id: Any, gateway_status: str) -> Refund:
    """Once: pending → succeeded writes −amount where the payment was booked and +amount on
    «refunded», in the same transaction; pending → canceled writes nothing."""
    with transaction.atomic():
        pending = Refund.objects.filter(pk=refund_id, status=RefundStatus.PENDING)
        if gateway_status == SUCCEEDED:
            moved = pending.update(status=RefundStatus.SUCCEEDED, succeeded_at=clock.now())
        elif gateway_status == CANCELED:
            moved = pending.update(status=RefundStatus.CANCELED)
        else:
            moved = 0
        refund = Refund.objects.select_related("payment", "policy").get(pk=refund_id)
        if moved and gateway_status == SUCCEEDED:
            memo = (_("Возврат %(id)s: %(reason)s") % {"id": str(refund.pk)[:8], "reason": refund.reason})[:200]
            LedgerEntry.objects.bulk_create(
                [
                    LedgerEntry(
                        account=BOOKED_ON[refund.payment.purpose],
                        policy=refund.policy,
                        amount_kopecks=-refund.amount_kopecks,
                        refund=refund,
                        payment=refund.payment,
                        memo=memo,
                    ),
                    LedgerEntry(
                        account=LedgerAccount.REFUNDED,
                        policy=refund.policy,
                        amount_kopecks=refund.amount_kopecks,
                        refund=refund,
                        payment=refund.payment,
                        memo=memo,
                    ),
                ]
            )
            effect = ON_REFUND_SUCCEEDED.get(refund.payment.purpose)
            if effect is not None:
                effect(refund)
    return refund
