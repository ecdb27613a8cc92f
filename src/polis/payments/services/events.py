"""Gateway notifications, Zulip's way: each is stored as a row before anything is done with it
(a repeated delivery counts on the same row), then handled by re-reading the object from the
gateway — the body is a hint of what to look at, never the truth."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from polis import clock
from polis.payments.models import GatewayEvent, Payment, Refund
from polis.payments.services.common import logger
from polis.payments.services.payments import payment_refresh
from polis.payments.services.refunds import refund_refresh


def gateway_event_record(
    *, gateway: str, payload: dict[str, Any], remote_addr: str | None
) -> tuple[GatewayEvent, bool]:
    """Store a notification; (event, whether it still needs handling)."""
    event_type = str(payload.get("event", ""))[:60]
    obj = payload.get("object")
    object_id = str(obj.get("id", "")) if isinstance(obj, dict) else ""
    object_id = object_id[:64]
    dedupe_key = f"{gateway}:{event_type}:{object_id}"[:200]
    try:
        with transaction.atomic():
            event = GatewayEvent.objects.create(
                gateway=gateway,
                dedupe_key=dedupe_key,
                event_type=event_type,
                object_id=object_id,
                payload=payload,
                remote_addr=remote_addr,
            )
        return event, True
    except IntegrityError:
        GatewayEvent.objects.filter(dedupe_key=dedupe_key).update(deliveries=F("deliveries") + 1)
        event = GatewayEvent.objects.get(dedupe_key=dedupe_key)
        # A repeat after a failed handling is another chance; after a done one, nothing to do.
        return event, event.handling in (GatewayEvent.Handling.RECEIVED, GatewayEvent.Handling.FAILED)


def gateway_event_process(*, event_id: int) -> str:
    """Re-read what the notification names and apply it. Failures are stored on the event and
    raised (the task runner records them; reconciliation will apply the payment anyway)."""
    event = GatewayEvent.objects.get(pk=event_id)
    try:
        handling, note = _handle(event)
    except Exception as failure:
        GatewayEvent.objects.filter(pk=event.pk).update(
            handling=GatewayEvent.Handling.FAILED, handled_at=clock.now(), error=repr(failure)[:2000]
        )
        logger.exception("gateway event %s (%s) failed", event.pk, event.dedupe_key)
        raise
    GatewayEvent.objects.filter(pk=event.pk).update(handling=handling, handled_at=clock.now(), error=note)
    return handling


def _handle(event: GatewayEvent) -> tuple[str, str]:
    kind = event.event_type.split(".", 1)[0]
    if kind == "payment" and event.object_id:
        payment = Payment.objects.filter(gateway=event.gateway, gateway_payment_id=event.object_id).first()
        if payment is None:
            return GatewayEvent.Handling.IGNORED, "платёж не найден"
        payment_refresh(payment_id=payment.pk)
        return GatewayEvent.Handling.PROCESSED, ""
    if kind == "refund" and event.object_id:
        refund = Refund.objects.filter(payment__gateway=event.gateway, gateway_refund_id=event.object_id).first()
        if refund is None:
            return GatewayEvent.Handling.IGNORED, "возврат не найден"
        refund_refresh(refund_id=refund.pk)
        return GatewayEvent.Handling.PROCESSED, ""
    return GatewayEvent.Handling.IGNORED, "событие не обрабатывается"
