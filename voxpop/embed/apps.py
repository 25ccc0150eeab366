from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "voxpop.embed"
    label = "embed"
