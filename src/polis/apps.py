from django.apps import AppConfig


class PolisConfig(AppConfig):
    """The project package itself: base templates, static files, the CLI and shared helpers."""

    name = "polis"
    verbose_name = "Polis"
