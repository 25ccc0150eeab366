from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "voxpop.accounts"
    label = "accounts"
