from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "voxpop.scoring"
    label = "scoring"
