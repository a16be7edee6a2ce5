from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "candour.web.core"
    label = "core"
    verbose_name = "People, access and audit"
