"""The registry's JSON API routes (mounted at /api/requests/, in the OpenAPI schema with the
rest of the API)."""

from django.urls import path

from candour.web.datarequests import api

app_name = "requests_api"
urlpatterns = [
    path("", api.RequestList.as_view(), name="list"),
    path("<int:request_id>/", api.RequestDetail.as_view(), name="detail"),
    path("<int:request_id>/held-answer/", api.HeldAnswer.as_view(), name="held_answer"),
]
