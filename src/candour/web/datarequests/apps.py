from django.apps import AppConfig


class DataRequestsConfig(AppConfig):
    # The package is "datarequests", not "requests": a top-level app label "requests" would
    # collide with the requests HTTP library installed beside Candour.
    name = "candour.web.datarequests"
    label = "datarequests"
    verbose_name = "Data requests: one registry of who asks organisations for what"
