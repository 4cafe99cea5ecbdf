from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kette.api"
    label = "api"
