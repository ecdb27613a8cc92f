"""Background work of online booking: tasks only load their arguments and call a service."""

from django_tasks import task

from polis.network import booking


@task()
def send_booking_reminder(*, booking_id: int) -> bool:
    """The day-before SMS and e-mail; enqueued with run_after = the visit minus 24 h."""
    return booking.booking_remind(booking_id=booking_id)
