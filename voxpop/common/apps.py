from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "voxpop.common"
    label = "common"
