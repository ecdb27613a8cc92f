"""The monthly debt report to each contract's administrators (amounts only). Run it daily (cron,
a systemd timer); from the first working day of a month it sends last month's reports, once:

    python manage.py send_debt_reports
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from polis.billing.debts.services import debt_reports_send


class Command(BaseCommand):
    help = "Отправить администраторам договоров отчёты о задолженности по франшизе за прошлый месяц."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="считать сегодняшним днём (ГГГГ-ММ-ДД)")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = debt_reports_send(today=options.get("date"))
        self.stdout.write(f"Отчётов отправлено: {sent}")
