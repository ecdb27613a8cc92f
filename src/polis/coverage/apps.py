from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "polis.coverage"
    label = "coverage"
    verbose_name = "Страхование (ДМС)"
