from django.urls import path

from candour.web.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.organisation_list, name="organisations"),
    path("organisations/<str:ods_code>/", views.organisation_detail, name="organisation"),
]
