"""Background work of payments: tasks only load their arguments and call a service."""

from django_tasks import task

from polis.payments import services


@task()
def process_gateway_event(*, event_id: int) -> str:
    """Handle one stored notification: re-read its payment or refund and apply it."""
    return services.gateway_event_process(event_id=event_id)


@task()
def reconcile_payments() -> str:
    """Re-read pending payments and refunds from the gateway (run it every few minutes)."""
    return str(services.payments_reconcile())
