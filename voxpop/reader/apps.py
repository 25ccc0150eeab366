from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "voxpop.reader"
    label = "reader"
