from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "polis.billing"
    label = "billing"
    verbose_name = "Франшиза"
