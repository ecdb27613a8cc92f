"""`manage.py demo_data`: load the demo once and print the logins; `--logins-only` just prints."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from polis.demo.build import SEED, load_demo
from polis.demo.logins import render_logins


class Command(BaseCommand):
    help = "Загружает демо-данные (один раз) и печатает логины для всех ролей."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logins-only", action="store_true", help="только напечатать логины того, что уже есть в базе"
        )
        parser.add_argument("--no-logins", action="store_true", help="не печатать логины (их напечатает ./polis demo)")
        parser.add_argument("--seed", type=int, default=SEED, help="зерно генератора (по умолчанию %(default)s)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins_only"]:
            self.stdout.write(render_logins())
            return
        started = time.monotonic()
        if not load_demo(seed=options["seed"]):
            self.stdout.write("Демо-данные уже загружены — ничего не меняю. (`./polis demo --fresh` начнёт с нуля.)")
            return
        self.stdout.write(self.style.SUCCESS(f"Демо-данные загружены за {time.monotonic() - started:.1f} с."))
        if not options["no_logins"]:
            self.stdout.write(render_logins())
