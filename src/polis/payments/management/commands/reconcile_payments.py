"""Reconcile pending payments and refunds with the gateway.

The recovery for a crash between the gateway's confirmation and our bookkeeping, a lost
notification, or a card check whose refund was never started. Run it every 5 minutes or so
(cron, a systemd timer):

    python manage.py reconcile_payments

Safe to run any number of times and alongside the web and the worker: every outcome is applied
with a conditional UPDATE, so nothing is booked twice.
"""

from typing import Any

from django.core.management.base import BaseCommand

from polis.payments.services import payments_reconcile


class Command(BaseCommand):
    help = "Сверить с платёжным шлюзом платежи и возвраты, которые ещё ожидают ответа."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(payments_reconcile()))
