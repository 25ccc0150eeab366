from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "voxpop.stories"
    label = "stories"
