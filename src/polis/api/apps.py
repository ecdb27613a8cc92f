from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "polis.api"
    label = "api"
    verbose_name = "API для мобильного приложения"
