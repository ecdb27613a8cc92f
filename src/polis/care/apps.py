from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "polis.care"
    label = "care"
    verbose_name = "Медицинский пульт"
