from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    name = "candour.web.leadership"
    label = "leadership"
    verbose_name = "Leadership: board posts ledger and regional talent boards"
