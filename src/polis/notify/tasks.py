from django_tasks import task

from polis.notify import services


@task()
def deliver_message(*, message_id: int) -> None:
    services.message_deliver(message_id=message_id)
