from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "voxpop.transfer"
    label = "transfer"
    verbose_name = "Import and export"
