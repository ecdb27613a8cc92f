from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "polis.notify"
    label = "notify"
    verbose_name = "Уведомления"
