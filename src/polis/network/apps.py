from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "polis.network"
    label = "network"
    verbose_name = "Сеть клиник"
