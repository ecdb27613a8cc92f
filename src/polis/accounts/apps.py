from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "polis.accounts"
    label = "accounts"
    verbose_name = "Пользователи и доступ"
