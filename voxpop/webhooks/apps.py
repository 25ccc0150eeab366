from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "voxpop.webhooks"
    label = "webhooks"
