from django.urls import path

from candour.web.oversight import api

app_name = "api"
urlpatterns = [
    path("schema/", api.SchemaView.as_view(), name="schema"),
    path("organisations/", api.OrganisationList.as_view(), name="organisations"),
    path("organisations/<str:ods_code>/", api.OrganisationDetail.as_view(), name="organisation"),
    path("measures/", api.MeasureList.as_view(), name="measures"),
    path("measures/<slug:pk>/", api.MeasureDetail.as_view(), name="measure"),
    path("observations/", api.ObservationList.as_view(), name="observations"),
    path("targets/", api.TargetList.as_view(), name="targets"),
    path("targets/<slug:pk>/", api.TargetDetail.as_view(), name="target"),
    path("concerns/", api.ConcernList.as_view(), name="concerns"),
    path("assessments/", api.AssessmentList.as_view(), name="assessments"),
    path("assessments/<str:ods_code>/", api.AssessmentDetail.as_view(), name="assessment"),
]
