from django.apps import AppConfig


class SpeakupConfig(AppConfig):
    name = "candour.web.speakup"
    label = "speakup"
    verbose_name = "Speak up: concerns raised by staff and guardians' cases"

    def ready(self) -> None:
        from candour.web.speakup import checks  # noqa: F401 - registers the system checks
