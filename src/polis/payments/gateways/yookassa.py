"""YooKassa through its official SDK (`yookassa`).

- Every create call carries our idempotence key: a repeat (a retry after a timeout, a second tab,
  reconciliation) returns the same payment or refund instead of a second one.
- Amounts are strings of rubles with kopecks ("300.00"), made from integer kopecks.
- The receipt (54-FZ) goes with the payment and with the refund (polis.payments.receipts).
- The SDK turns a network failure into an AttributeError (it reads `.response` of an exception
  that has none), so that counts as "outcome unknown" too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import requests
import yookassa
from django.conf import settings
from django.urls import reverse
from yookassa.domain.exceptions import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
)

from polis.money import to_rubles
from polis.payments import receipts
from polis.payments.gateways.base import GatewayError, GatewayPayment, GatewayRefund, GatewayRejected
from polis.payments.models import Payment, Refund

logger = logging.getLogger(__name__)
T = TypeVar("T")
# The gateway answered "no": nothing was created, a retry with the same body would fail again.
DEFINITE_REFUSALS = (BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError)
DESCRIPTION_LIMIT = 128


def amount(kopecks: int) -> dict[str, str]:
    return {"value": str(to_rubles(kopecks)), "currency": "RUB"}


class YooKassaGateway:
    name = "yookassa"

    def __init__(self) -> None:
        yookassa.Configuration.configure(
            settings.YOOKASSA_SHOP_ID, settings.YOOKASSA_SECRET_KEY, timeout=settings.YOOKASSA_TIMEOUT
        )

    def create_payment(self, payment: Payment) -> tuple[str, str]:
        params = _payment_params(payment)
        params["confirmation"] = {"type": "redirect", "return_url": return_url(payment)}
        if payment.save_card:
            params["save_payment_method"] = True
        response = _call(lambda: yookassa.Payment.create(params, str(payment.idempotence_key)))
        confirmation = getattr(response, "confirmation", None)
        url = getattr(confirmation, "confirmation_url", "") or ""
        return str(response.id), url

    def fetch_payment(self, gateway_id: str) -> GatewayPayment:
        return _as_gateway_payment(_call(lambda: yookassa.Payment.find_one(gateway_id)))

    def charge_saved(self, payment: Payment, method_id: str) -> GatewayPayment:
        params = _payment_params(payment)
        params["payment_method_id"] = method_id
        return _as_gateway_payment(_call(lambda: yookassa.Payment.create(params, str(payment.idempotence_key))))

    def create_refund(self, refund: Refund) -> tuple[str, str]:
        params: dict[str, Any] = {
            "payment_id": refund.payment.gateway_payment_id,
            "amount": amount(refund.amount_kopecks),
            "description": refund.reason[:DESCRIPTION_LIMIT],
            "receipt": receipts.for_gateway(refund.receipt),
        }
        response = _call(lambda: yookassa.Refund.create(params, str(refund.idempotence_key)))
        return str(response.id), str(response.status)

    def fetch_refund(self, gateway_id: str) -> GatewayRefund:
        response = _call(lambda: yookassa.Refund.find_one(gateway_id))
        details = getattr(response, "cancellation_details", None)
        return GatewayRefund(
            id=str(response.id), status=str(response.status), cancellation_reason=getattr(details, "reason", "") or ""
        )


def return_url(payment: Payment) -> str:
    return settings.POLIS_SITE_URL.rstrip("/") + reverse("payments:return", args=[payment.pk])


def _payment_params(payment: Payment) -> dict[str, Any]:
    return {
        "amount": amount(payment.amount_kopecks),
        "capture": True,
        "description": payment.description[:DESCRIPTION_LIMIT],
        "metadata": {"polis_payment_id": str(payment.pk)},
        "receipt": receipts.for_gateway(payment.receipt),
    }


def _call(request: Callable[[], T]) -> T:
    try:
        return request()
    except DEFINITE_REFUSALS as refusal:
        logger.warning("YooKassa refused: %s", getattr(refusal, "content", refusal))
        raise GatewayRejected(str(getattr(refusal, "content", refusal))) from refusal
    except (ApiError, requests.RequestException, AttributeError) as failure:
        logger.warning("YooKassa did not answer clearly: %r", failure)
        raise GatewayError(repr(failure)) from failure


def _as_gateway_payment(response: Any) -> GatewayPayment:
    method = getattr(response, "payment_method", None)
    details = getattr(response, "cancellation_details", None)
    confirmation = getattr(response, "confirmation", None)
    return GatewayPayment(
        id=str(response.id),
        status=str(response.status),
        paid=bool(getattr(response, "paid", False)),
        method=_method(method) if method is not None else None,
        cancellation_reason=getattr(details, "reason", "") or "",
        confirmation_url=getattr(confirmation, "confirmation_url", "") or "",
        receipt_registration=getattr(response, "receipt_registration", "") or "",
    )


def _method(method: Any) -> dict:
    card = getattr(method, "card", None)
    if card is not None and getattr(card, "last4", None):
        title = f"{getattr(card, 'card_type', '') or 'Карта'} •••• {card.last4}"
    else:
        title = getattr(method, "title", "") or getattr(method, "type", "") or ""
    return {"id": getattr(method, "id", "") or "", "title": title[:60], "saved": bool(getattr(method, "saved", False))}
