"""`manage.py demo_data`: load the demo once and print the logins; `--logins-only` just prints."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from polis.demo.build import SEED, load_demo, refresh_demo
from polis.demo.logins import render_logins
from polis.demo.network import summary


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
            refreshed = refresh_demo(seed=options["seed"])
            if refreshed.network_added:
                self.stdout.write("Демо-данные уже загружены; добавлены врачи, расписание, прейскуранты и записи.")
            elif refreshed.slots_added:
                self.stdout.write(
                    "Демо-данные уже загружены; расписание врачей дополнено на две недели вперёд "
                    f"(новых слотов: {refreshed.slots_added})."
                )
            else:
                self.stdout.write(
                    "Демо-данные уже загружены, расписание на две недели вперёд есть — ничего не меняю. "
                    "(`./polis demo --fresh` начнёт с нуля.)"
                )
            return
        self.stdout.write(self.style.SUCCESS(f"Демо-данные загружены за {time.monotonic() - started:.1f} с."))
        self.stdout.write(summary())
        if not options["no_logins"]:
            self.stdout.write(render_logins())
