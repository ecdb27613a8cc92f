from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "polis.payments"
    label = "payments"
    verbose_name = "Платежи"
