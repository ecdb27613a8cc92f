"""What a payment gateway is to Polis: five calls, each outside any database transaction.

An adapter raises GatewayRejected when the gateway definitely refused (nothing happened there),
and GatewayError when the outcome is unknown (a timeout, a 5xx): a retry with the same
idempotence key is then safe and is what reconciliation does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from polis.payments.models import Payment, Refund


class GatewayError(Exception):
    """The gateway did not answer clearly; what happened there is unknown."""


class GatewayRejected(GatewayError):
    """The gateway answered and refused: nothing was created or charged."""


# Statuses as YooKassa names them; the sandbox speaks the same words.
PENDING = "pending"
WAITING_FOR_CAPTURE = "waiting_for_capture"
SUCCEEDED = "succeeded"
CANCELED = "canceled"
FINAL = frozenset({SUCCEEDED, CANCELED})


@dataclass(frozen=True)
class GatewayPayment:
    id: str
    status: str
    paid: bool = False
    # {"id": method id, "title": "Visa •••• 4242", "saved": bool} once the payer chose a card.
    method: dict | None = None
    cancellation_reason: str = ""
    confirmation_url: str = ""
    receipt_registration: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    status: str
    cancellation_reason: str = ""


class Gateway(Protocol):
    name: str

    def create_payment(self, payment: Payment) -> tuple[str, str]:
        """Create it at the gateway (idempotently, by payment.idempotence_key): (gateway id, hosted page URL)."""
        ...

    def fetch_payment(self, gateway_id: str) -> GatewayPayment: ...

    def charge_saved(self, payment: Payment, method_id: str) -> GatewayPayment:
        """An automatic charge of a saved method, no payer present."""
        ...

    def create_refund(self, refund: Refund) -> tuple[str, str]:
        """(gateway refund id, status)."""
        ...

    def fetch_refund(self, gateway_id: str) -> GatewayRefund: ...


# YooKassa's cancellation_details.reason, in words a payer understands.
CANCEL_REASONS: dict[str, str | Promise] = {
    "3d_secure_failed": _("Не пройдена проверка 3-D Secure. Попробуйте ещё раз или другую карту."),
    "call_issuer": _("Банк отклонил оплату. Позвоните в банк, выпустивший карту."),
    "card_expired": _("Срок действия карты истёк. Оплатите другой картой."),
    "country_forbidden": _("Оплата картой, выпущенной в этой стране, невозможна."),
    "expired_on_confirmation": _("Время на оплату истекло. Начните оплату заново."),
    "fraud_suspected": _("Оплата заблокирована из-за подозрения в мошенничестве. Позвоните в банк."),
    "general_decline": _("Банк отказал в оплате. Попробуйте другую карту или позвоните в банк."),
    "identification_required": _("Превышен лимит кошелька без идентификации."),
    "insufficient_funds": _("На карте недостаточно средств."),
    "internal_timeout": _("Платёжный сервис не ответил вовремя. Попробуйте ещё раз."),
    "invalid_card_number": _("Неверный номер карты."),
    "invalid_csc": _("Неверный код CVV2/CVC2."),
    "issuer_unavailable": _("Банк карты недоступен. Попробуйте позже или другую карту."),
    "payment_method_limit_exceeded": _("Превышен лимит платежей по карте."),
    "payment_method_restricted": _("Операции по карте запрещены банком."),
    "permission_revoked": _("Разрешение на автоплатежи отозвано."),
    "canceled_by_merchant": _("Платёж отменён."),
}


def cancel_reason_text(reason: str) -> str:
    if not reason:
        return str(_("Платёж не прошёл."))
    return str(CANCEL_REASONS.get(reason, _("Платёж не прошёл (%(code)s).") % {"code": reason}))
