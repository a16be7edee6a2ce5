from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "candour.web.oversight"
    label = "oversight"
    verbose_name = "Organisations, measures and observations"
