from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "voxpop.comments"
    label = "comments"
