"""Bring refund applications up to date with the gateway. Run it every 15 minutes or so (cron, a
systemd timer) next to the payments' reconciliation; it is safe to run twice at once."""

from typing import Any

from django.core.management.base import BaseCommand

from polis.billing.services import refund_applications_sync


class Command(BaseCommand):
    help = "Обновить заявления на возврат аванса по результатам возвратов в платёжном сервисе"

    def handle(self, *args: Any, **options: Any) -> None:
        count = refund_applications_sync()
        self.stdout.write(f"Заявлений проверено: {count}")
