from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "candour.web.oversight"
    label = "oversight"
    verbose_name = "Organisations, measures, targets and observations"

    def ready(self) -> None:
        from candour.web.oversight import signals  # noqa: F401 - registers the receivers
