from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "polis.jobs"
    label = "jobs"
    verbose_name = "Фоновые задания"
