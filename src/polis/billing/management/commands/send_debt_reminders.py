"""Reminders about unpaid co-pay invoices: 3 days before the due date, on it, and 1, 7 and 30
days after. Run it once a day in the morning (cron, a systemd timer):

    python manage.py send_debt_reminders

Safe to run any number of times and at once: each invoice gets each reminder once.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from polis.billing.debts.services import debt_reminders_send


class Command(BaseCommand):
    help = "Отправить напоминания об оплате счетов по франшизе (до срока, в срок и после него)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="считать сегодняшним днём (ГГГГ-ММ-ДД)")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = debt_reminders_send(today=options.get("date"))
        self.stdout.write(f"Напоминаний отправлено: {sent}")
