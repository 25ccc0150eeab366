from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "voxpop.api"
    label = "api"
