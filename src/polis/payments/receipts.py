"""The fiscal receipt data 54-FZ asks for, built once when a payment or refund is started and
kept on the row: the gateway sends it to the cash register, the receipt page shows it.

Payment method and subject (признак способа расчёта / предмета расчёта):
- a franchise deposit is money for services not yet known: «аванс» (advance) with the subject
  «платёж» (payment). When it is later offset against a co-pay invoice, 54-FZ asks for a second
  receipt («полный расчёт» with the service) — that is the co-pay issue's offset, not ours.
- a co-pay invoice pays for services already received: «полный расчёт» (full_payment), «услуга».
- the 1 ₽ card check is refunded at once and pays for nothing: an advance, like the deposit.
- a refund repeats the lines it returns, with the refund's amount (чек возврата прихода).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from polis.money import to_rubles
from polis.payments.models import Payment, PaymentItem, PaymentPurpose, Refund
from polis.phone import InvalidPhone, normalize_phone

DESCRIPTION_LIMIT = 128  # a receipt line's name, as the cash register takes it

MODES: dict[str, tuple[str, str]] = {
    PaymentPurpose.DEPOSIT: ("advance", "payment"),
    PaymentPurpose.CARD_BINDING: ("advance", "payment"),
    PaymentPurpose.COPAY: ("full_payment", "service"),
}
MODE_LABELS = {
    "advance": _("аванс"),
    "full_prepayment": _("предоплата 100%"),
    "full_payment": _("полный расчёт"),
}
SUBJECT_LABELS = {"payment": _("платёж"), "service": _("услуга")}
VAT_LABELS = {1: _("без НДС"), 2: _("НДС 0%"), 3: _("НДС 10%"), 4: _("НДС 20%"), 5: _("НДС 10/110"), 6: _("НДС 20/120")}


class InvalidReceiptContact(ValueError):
    pass


def receipt_customer(contact: str) -> dict[str, str]:
    """An e-mail or a Russian mobile number, as the gateway takes it. YooKassa's own receipts go
    by e-mail only; a phone is for a shop with its own cash register (an SMS from the OFD)."""
    text = (contact or "").strip()
    if "@" in text:
        local, _at, domain = text.rpartition("@")
        if not local or "." not in domain or " " in text:
            raise InvalidReceiptContact(text)
        return {"email": text.lower()}
    try:
        return {"phone": normalize_phone(text).lstrip("+")}
    except InvalidPhone:
        raise InvalidReceiptContact(text) from None


def _line(description: str, amount_kopecks: int, purpose: str, policy_id: int | None) -> dict[str, Any]:
    mode, subject = MODES[purpose]
    return {
        "policy_id": policy_id,
        "description": description[:DESCRIPTION_LIMIT],
        "quantity": "1.00",
        "amount": {"value": str(to_rubles(amount_kopecks)), "currency": "RUB"},
        "amount_kopecks": amount_kopecks,
        "vat_code": settings.PAYMENTS_RECEIPT_VAT_CODE,
        "payment_mode": mode,
        "payment_subject": subject,
    }


def payment_receipt(payment: Payment, items: list[PaymentItem]) -> dict[str, Any]:
    return {
        "type": "payment",
        "customer": receipt_customer(payment.receipt_contact),
        "items": [_line(i.description, i.amount_kopecks, payment.purpose, i.policy_id) for i in items],
    }


def refund_receipt(refund: Refund) -> dict[str, Any]:
    """The refund receipt mirrors the payment's lines for the refunded person, for the amount
    returned (a partial refund returns part of one line)."""
    payment = refund.payment
    lines = [i for i in payment.receipt.get("items", []) if i.get("policy_id") == refund.policy_id]
    description = lines[0]["description"] if lines else payment.description
    return {
        "type": "refund",
        "customer": dict(payment.receipt.get("customer") or receipt_customer(payment.receipt_contact)),
        "items": [_line(description, refund.amount_kopecks, payment.purpose, refund.policy_id)],
    }


def for_gateway(receipt: dict[str, Any]) -> dict[str, Any]:
    """The receipt as YooKassa's API takes it: only its own keys."""
    keep = ("description", "quantity", "amount", "vat_code", "payment_mode", "payment_subject")
    return {
        "customer": receipt["customer"],
        "items": [{k: item[k] for k in keep} for item in receipt["items"]],
    }


def describe(receipt: dict[str, Any]) -> list[dict[str, Any]]:
    """Lines for the receipt page, with the codes in words."""
    return [
        {
            "description": item["description"],
            "quantity": item["quantity"],
            "amount_kopecks": item.get("amount_kopecks", 0),
            "vat": VAT_LABELS.get(item["vat_code"], item["vat_code"]),
            "mode": MODE_LABELS.get(item["payment_mode"], item["payment_mode"]),
            "subject": SUBJECT_LABELS.get(item["payment_subject"], item["payment_subject"]),
        }
        for item in receipt.get("items", [])
    ]


def sent_to(receipt: dict[str, Any]) -> str:
    customer = receipt.get("customer") or {}
    if customer.get("email"):
        return str(customer["email"])
    if customer.get("phone"):
        return "+" + str(customer["phone"]).lstrip("+")
    return ""
