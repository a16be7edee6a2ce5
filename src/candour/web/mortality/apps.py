from django.apps import AppConfig


class MortalityConfig(AppConfig):
    name = "candour.web.mortality"
    label = "mortality"
    verbose_name = (
        "Mortality monitoring: observed and expected deaths, alerts that must be answered"
    )

    def ready(self) -> None:
        from candour.web.mortality import checks, signals  # noqa: F401 - registers them
