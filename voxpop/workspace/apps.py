from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "voxpop.workspace"
    label = "workspace"
