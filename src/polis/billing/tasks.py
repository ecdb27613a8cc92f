"""Background work of the franchise: tasks only load their arguments and call a service."""

from django_tasks import task

from polis.billing import services


@task()
def sync_refund_applications() -> int:
    """Mark paid what the gateway has refunded; retry refunds it turned down."""
    return services.refund_applications_sync()
