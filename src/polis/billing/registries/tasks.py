from django_tasks import task

from polis.billing.registries import notices


@task()
def notify_invoices(*, registry_id: int) -> None:
    notices.invoices_notify(registry_id=registry_id)
