"""Automatic charges of a saved card: no payer present, so an unknown outcome is never canceled
on our side — the charge is repeated with the same idempotence key until the gateway answers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from polis.payments import gateways
from polis.payments.gateways.base import CANCELED, GatewayError
from polis.payments.models import Payment, PaymentStatus, SavedCard
from polis.payments.services.common import ItemSpec, PaymentError, logger
from polis.payments.services.payments import (
    _apply_seen,
    _check_payer,
    _check_request,
    _create,
    _receipt_contact_error,
    _refuse_paid_invoice,
    payment_apply,
    payment_refresh,
)


def charge_saved_card(
    *,
    card: SavedCard,
    purpose: str,
    items: list[ItemSpec],
    description: str,
    subject_key: str,
    receipt_contact: str,
) -> Payment:
    """An automatic charge with a saved method (no payer present). Returns the payment: succeeded,
    canceled (the bank refused: cancel_reason says why) or pending (the gateway's word is not in
    yet; reconciliation will apply it)."""
    if card.unbound_at is not None:
        raise PaymentError(_("Карта отвязана: автоматическое списание невозможно."))
    _check_request(purpose=purpose, items=items, subject_key=subject_key, return_url="")
    _refuse_paid_invoice(purpose=purpose, subject_key=subject_key)
    _check_payer(user=card.user, items=items)
    customer_error = _receipt_contact_error(receipt_contact)
    if customer_error:
        raise PaymentError(customer_error)
    payment = _create(
        user=card.user,
        purpose=purpose,
        items=items,
        description=description,
        subject_key=subject_key,
        return_url="",
        receipt_contact=receipt_contact,
        save_card=False,
        card=card,
    )
    if payment is None:
        # A charge of this subject is already under way (a repeated task): continue that one.
        payment = Payment.objects.filter(subject_key=subject_key, status=PaymentStatus.PENDING).first()
        if payment is None or payment.card_id != card.pk:
            raise PaymentError(_("По этому счёту уже идёт другая оплата."))
    return payment_charge_send(payment=payment)


def payment_charge_send(*, payment: Payment) -> Payment:
    """Send (or repeat, with the same idempotence key) an automatic charge and apply the answer.
    A charge whose outcome is unknown stays pending: it may have happened, so it is never
    canceled on our side without the gateway's word."""
    if payment.gateway_payment_id:
        return payment_refresh(payment_id=payment.pk)
    assert payment.card is not None
    try:
        seen = gateways.get(payment.gateway).charge_saved(payment, payment.card.method_id)
    except gateways.GatewayRejected as refusal:
        logger.warning("payment %s: automatic charge refused: %r", payment.pk, refusal)
        return payment_apply(payment_id=payment.pk, gateway_status=CANCELED, method=None, cancel_reason="")
    except GatewayError as failure:
        logger.warning(
            "payment %s: automatic charge outcome unknown, reconciliation repeats it: %r", payment.pk, failure
        )
        return payment
    Payment.objects.filter(pk=payment.pk, gateway_payment_id__isnull=True).update(gateway_payment_id=seen.id)
    payment.refresh_from_db()
    return _apply_seen(payment, seen)
