from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "candour.web.core"
    label = "core"
    verbose_name = "People, access and audit"

    def ready(self) -> None:
        from candour.web.core import (
            audit_checks,  # noqa: F401 - registers the system checks
            checks,  # noqa: F401 - registers the deployment checks
        )
