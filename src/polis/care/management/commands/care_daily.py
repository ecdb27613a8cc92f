"""The medical desk's daily round. Run it once a day in the early morning (cron, a systemd
timer), before clinics open:

    python manage.py care_daily

Guarantee letters past their end expire; clinics and the desk are warned DESK_LETTER_WARN_DAYS
before a letter ends; attachment letters due are sent to their clinics and the insured told;
attachment letters past their end expire. Safe to run any number of times and at once: each
letter changes once.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from polis.care.daily import care_daily


class Command(BaseCommand):
    help = "Ежедневный обход медицинского пульта: сроки гарантийных писем и письма на прикрепление."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="считать сегодняшним днём (ГГГГ-ММ-ДД)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(care_daily(today=options.get("date"))))
