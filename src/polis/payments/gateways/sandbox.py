"""The built-in sandbox gateway: its own hosted page where a tester chooses the outcome.

It keeps its memory in SandboxPaymentState, which plays the gateway's database: the rest of the
app never reads that table directly, only through this adapter. Refunds succeed at once; an
automatic charge of a saved sandbox card succeeds at once.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from polis import clock
from polis.payments.gateways.base import CANCELED, SUCCEEDED, GatewayPayment, GatewayRefund, GatewayRejected
from polis.payments.models import Payment, Refund, SandboxPaymentState

CARD_TITLE = "Песочница •••• 4242"
DECLINE_REASON = "general_decline"


class SandboxGateway:
    name = "sandbox"

    def create_payment(self, payment: Payment) -> tuple[str, str]:
        state = _state_for(payment, status=SandboxPaymentState.Outcome.PENDING, save_method=payment.save_card)
        return state.gateway_id, reverse("payments:sandbox", args=[payment.pk])

    def fetch_payment(self, gateway_id: str) -> GatewayPayment:
        state = SandboxPaymentState.objects.filter(gateway_id=gateway_id).first()
        if state is None:
            raise GatewayRejected(f"sandbox: платёж {gateway_id} не найден")
        return _as_gateway_payment(state)

    def charge_saved(self, payment: Payment, method_id: str) -> GatewayPayment:
        state = _state_for(payment, status=SandboxPaymentState.Outcome.SUCCEEDED, save_method=True, method_id=method_id)
        return _as_gateway_payment(state)

    def create_refund(self, refund: Refund) -> tuple[str, str]:
        return f"sbx-refund-{refund.idempotence_key.hex}", SUCCEEDED

    def fetch_refund(self, gateway_id: str) -> GatewayRefund:
        if not gateway_id.startswith("sbx-refund-"):
            raise GatewayRejected(f"sandbox: возврат {gateway_id} не найден")
        return GatewayRefund(id=gateway_id, status=SUCCEEDED)


def _state_for(payment: Payment, **defaults: object) -> SandboxPaymentState:
    # One state per payment whoever asks first: the idempotence key of a real gateway.
    if defaults.get("status") == SandboxPaymentState.Outcome.SUCCEEDED:
        defaults["decided_at"] = clock.now()
    state, _created = SandboxPaymentState.objects.get_or_create(
        payment=payment, defaults={"gateway_id": f"sbx-{payment.idempotence_key.hex}", **defaults}
    )
    return state


def _as_gateway_payment(state: SandboxPaymentState) -> GatewayPayment:
    method = None
    if state.status == SandboxPaymentState.Outcome.SUCCEEDED:
        method = {
            "id": state.method_id or f"sbx-method-{state.payment_id.hex}",
            "title": CARD_TITLE,
            "saved": state.save_method,
        }
    return GatewayPayment(
        id=state.gateway_id,
        status=state.status,
        paid=state.status == SUCCEEDED,
        method=method,
        cancellation_reason=DECLINE_REASON if state.status == CANCELED else "",
        receipt_registration="succeeded" if state.status == SUCCEEDED else "",
    )


def sandbox_decide(*, payment: Payment, outcome: str) -> SandboxPaymentState | None:
    """The tester's choice on the hosted page. Only a pending sandbox payment can be decided, once;
    «leave pending» changes nothing. Returns the state when a decision was made now."""
    if outcome not in (SUCCEEDED, CANCELED):
        return None
    with transaction.atomic():
        decided = SandboxPaymentState.objects.filter(
            payment=payment, status=SandboxPaymentState.Outcome.PENDING
        ).update(status=outcome, decided_at=clock.now())
    return SandboxPaymentState.objects.get(payment=payment) if decided else None
