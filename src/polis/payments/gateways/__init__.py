"""The gateway a payment goes through: settings.PAYMENTS_GATEWAY for new payments, the payment's
own `gateway` for everything after (a sandbox payment stays a sandbox payment)."""

from django.conf import settings

from polis.payments.gateways.base import Gateway, GatewayError, GatewayPayment, GatewayRefund, GatewayRejected

__all__ = ["Gateway", "GatewayError", "GatewayPayment", "GatewayRefund", "GatewayRejected", "current_name", "get"]


def current_name() -> str:
    return str(settings.PAYMENTS_GATEWAY)


def get(name: str | None = None) -> Gateway:
    name = name or current_name()
    if name == "sandbox":
        from polis.payments.gateways.sandbox import SandboxGateway

        return SandboxGateway()
    if name == "yookassa":
        from polis.payments.gateways.yookassa import YooKassaGateway

        return YooKassaGateway()
    raise ValueError(f"Неизвестный платёжный шлюз: {name!r} (PAYMENTS_GATEWAY: sandbox или yookassa)")
