from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "voxpop.moderation"
    label = "moderation"
