from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "voxpop.site"
    label = "site"
