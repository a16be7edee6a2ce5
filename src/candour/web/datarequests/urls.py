"""Data-request registry routes (mounted at /requests/). Every view declares its roles
(``candour.web.core.access``); :mod:`candour.web.datarequests.policy` decides the rest."""

from django.urls import path

from candour.web.datarequests import views

app_name = "datarequests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("<int:request_id>/", views.request_detail, name="detail"),
    path("<int:request_id>/items/<int:item_id>/map/", views.map_item, name="map_item"),
    path("<int:request_id>/held-answer.csv", views.answer_csv, name="answer_csv"),
    path("<int:request_id>/held-answer.xlsx", views.answer_xlsx, name="answer_xlsx"),
    path("burden/", views.burden, name="burden"),
    path("burden/regions/<str:region_code>/", views.burden_region, name="burden_region"),
    path(
        "burden/organisations/<str:ods_code>/",
        views.burden_organisation,
        name="burden_organisation",
    ),
]
