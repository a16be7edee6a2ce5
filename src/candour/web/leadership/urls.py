"""Leadership routes (mounted at /leadership/). Every view declares its roles
(``candour.web.core.access``); region pages also need a seat on the region's talent board
(``candour.web.leadership.access``)."""

from django.urls import path

from candour.web.leadership import views

app_name = "leadership"

REGION = "regions/<str:region_code>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("board-vacancies-by-cqc-rating/", views.kerr, name="kerr"),
    path(REGION, views.region, name="region"),
    path(f"{REGION}ledger/", views.region_ledger, name="region_ledger"),
    path(f"{REGION}pools/", views.region_pools, name="region_pools"),
    path(f"{REGION}succession-plans/", views.region_plans, name="region_plans"),
    path(f"{REGION}posts/<str:post_id>/decide/", views.decide, name="decide"),
]
