from django.apps import AppConfig


class DesksConfig(AppConfig):
    name = "voxpop.desks"
    label = "desks"
