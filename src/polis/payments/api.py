"""Payments for the mobile app: history, one payment's state (asked of the gateway while it is
pending, as the web return page does) and the 54-FZ receipt data. Only the payer's own payments;
anyone else's is 404."""

import datetime as dt
import uuid
from contextlib import suppress
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from polis.api.auth import page_window, request_user
from polis.api.errors import ApiError
from polis.payments import receipts
from polis.payments.gateways.base import GatewayError
from polis.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from polis.payments.selectors import payment_for_user, payments_for_user, refunds_for_user
from polis.payments.services import payment_refresh

payments_router = Router()


class ItemOut(Schema):
    policy_id: int
    policy_number: str
    full_name: str
    amount_kopecks: int
    description: str


class RefundOut(Schema):
    id: uuid.UUID
    payment_id: uuid.UUID
    policy_id: int
    full_name: str
    amount_kopecks: int
    status: str
    status_label: str
    reason: str
    created_at: dt.datetime
    succeeded_at: dt.datetime | None


class PaymentOut(Schema):
    id: uuid.UUID
    purpose: str = Field(description="deposit, copay или card_binding")
    purpose_label: str
    description: str
    amount_kopecks: int
    status: str = Field(description="pending, succeeded или canceled")
    status_label: str
    created_at: dt.datetime
    succeeded_at: dt.datetime | None
    canceled_at: dt.datetime | None
    cancel_reason: str
    confirmation_url: str | None = Field(description="пока платёж ждёт оплаты: страница шлюза, чтобы продолжить")
    items: list[ItemOut]
    refunds: list[RefundOut]
    has_receipt: bool


class ReceiptLineOut(Schema):
    description: str
    quantity: str
    amount_kopecks: int
    vat: str
    mode: str = Field(description="признак способа расчёта: аванс, полный расчёт…")
    subject: str = Field(description="признак предмета расчёта: платёж, услуга")


class ReceiptOut(Schema):
    kind: str = Field(description="payment — приход, refund — возврат прихода")
    refund_id: uuid.UUID | None
    issued_at: dt.datetime | None
    sent_to: str
    total_kopecks: int
    lines: list[ReceiptLineOut]


class PaymentReceiptsOut(Schema):
    payment_id: uuid.UUID
    paid_with: str
    receipts: list[ReceiptOut]


def _lines(receipt: dict) -> list[dict]:
    # The labels are lazy translations: plain strings for the schema.
    return [
        {key: value if key == "amount_kopecks" else str(value) for key, value in line.items()}
        for line in receipts.describe(receipt)
    ]


def _refund(refund: Refund) -> dict:
    return {
        "id": refund.pk,
        "payment_id": refund.payment_id,
        "policy_id": refund.policy_id,
        "full_name": refund.policy.insured.full_name,
        "amount_kopecks": refund.amount_kopecks,
        "status": refund.status,
        "status_label": str(refund.get_status_display()),
        "reason": refund.reason,
        "created_at": refund.created_at,
        "succeeded_at": refund.succeeded_at,
    }


def _payment(request: HttpRequest, payment: Payment) -> dict:
    pending = payment.status == PaymentStatus.PENDING
    return {
        "id": payment.pk,
        "purpose": payment.purpose,
        "purpose_label": str(payment.get_purpose_display()),
        "description": payment.description,
        "amount_kopecks": payment.amount_kopecks,
        "status": payment.status,
        "status_label": str(payment.get_status_display()),
        "created_at": payment.created_at,
        "succeeded_at": payment.succeeded_at,
        "canceled_at": payment.canceled_at,
        "cancel_reason": payment.cancel_reason,
        "confirmation_url": (
            request.build_absolute_uri(payment.confirmation_url) if pending and payment.confirmation_url else None
        ),
        "items": [
            {
                "policy_id": item.policy_id,
                "policy_number": item.policy.number,
                "full_name": item.policy.insured.full_name,
                "amount_kopecks": item.amount_kopecks,
                "description": item.description,
            }
            for item in payment.items.all()
        ],
        "refunds": [_refund(r) for r in payment.refunds.all()],
        "has_receipt": payment.status == PaymentStatus.SUCCEEDED,
    }


@payments_router.get("", response=list[PaymentOut], summary="История платежей")
def history(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict]:
    """The user's payments, newest first, each with what it paid for and its refunds; `limit`
    (at most 100) and `offset` page through them."""
    start, end = page_window(limit, offset)
    payments = payments_for_user(user=request_user(request))[start:end]
    return [_payment(request, p) for p in payments]


@payments_router.get("/refunds", response=list[RefundOut], summary="Возвраты")
def refunds(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict]:
    """Money returned from the user's payments (deposit refunds, the 1 ₽ card check), newest first."""
    start, end = page_window(limit, offset)
    found = refunds_for_user(user=request_user(request)).order_by("-created_at", "-pk")[start:end]
    return [_refund(r) for r in found]


@payments_router.get("/{uuid:payment_id}", response=PaymentOut, summary="Платёж и его состояние")
def payment(request: HttpRequest, payment_id: uuid.UUID) -> dict:
    """While the payment is pending the gateway is asked how it stands (and its answer applied),
    so the app may poll this after the payer leaves the gateway's page. If the gateway cannot be
    reached the stored state is returned, still `pending`."""
    user = request_user(request)
    found = payment_for_user(user=user, payment_id=payment_id)
    if found.status == PaymentStatus.PENDING:
        # Unreachable gateway: the stored state answers; reconciliation catches up later.
        with suppress(GatewayError):
            payment_refresh(payment_id=found.pk)
        found = payment_for_user(user=user, payment_id=payment_id)
    return _payment(request, found)


@payments_router.get("/{uuid:payment_id}/receipt", response=PaymentReceiptsOut, summary="Чеки по платежу (54-ФЗ)")
def receipt(request: HttpRequest, payment_id: uuid.UUID) -> dict:
    """The receipt of a succeeded payment and the refund receipt of each refund done from it, as
    sent to the e-mail or phone given before paying. A payment not (yet) made has none: 409."""
    found = payment_for_user(user=request_user(request), payment_id=payment_id)
    if found.status != PaymentStatus.SUCCEEDED:
        raise ApiError(
            _("Чек формируется после оплаты: этот платёж не оплачен."), code="no_receipt", status=HTTPStatus.CONFLICT
        )
    issued: list[dict[str, Any]] = [
        {
            "kind": "payment",
            "refund_id": None,
            "issued_at": found.succeeded_at,
            "sent_to": receipts.sent_to(found.receipt),
            "total_kopecks": found.amount_kopecks,
            "lines": _lines(found.receipt),
        }
    ]
    for refund in found.refunds.all():
        if refund.status != RefundStatus.SUCCEEDED:
            continue
        issued.append(
            {
                "kind": "refund",
                "refund_id": refund.pk,
                "issued_at": refund.succeeded_at,
                "sent_to": receipts.sent_to(refund.receipt),
                "total_kopecks": refund.amount_kopecks,
                "lines": _lines(refund.receipt),
            }
        )
    return {"payment_id": found.pk, "paid_with": str(found.receipt.get("paid_with", "")), "receipts": issued}
