"""Safety net for the day-before reminders.

Each booking enqueues its own reminder task due 24 h before the visit. If the task worker was
down, or the queue lost a task, visits starting within the next 24 hours would go unreminded;
this command sends those. Run it every 15 minutes or so (cron, a systemd timer):

    python manage.py send_booking_reminders

It is safe to run any number of times and alongside the worker: a reminder is claimed with a
conditional UPDATE, so each booking is reminded once.
"""

from typing import Any

from django.core.management.base import BaseCommand

from polis.network.booking import booking_remind, due_reminder_ids


class Command(BaseCommand):
    help = "Отправить напоминания о приёмах в ближайшие 24 часа, которые ещё не отправлены."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = sum(1 for booking_id in due_reminder_ids() if booking_remind(booking_id=booking_id))
        self.stdout.write(f"Напоминаний отправлено: {sent}")
