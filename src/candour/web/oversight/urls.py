from django.urls import path

from candour.web.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.organisation_list, name="organisations"),
    path("organisations/<str:ods_code>/", views.organisation_detail, name="organisation"),
    path("organisations/<str:ods_code>/board-pack.pdf", views.board_pack, name="board_pack"),
    path("organisations/<str:ods_code>/concerns/new/", views.concern_new, name="concern_new"),
    path(
        "organisations/<str:ods_code>/measures/<slug:measure_id>/chart.svg",
        views.series_chart,
        name="series_chart",
    ),
    path("ranking/", views.national_ranking, name="ranking"),
    path("regions/", views.region_list, name="regions"),
    path("regions/<str:region_code>/", views.region_detail, name="region"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/<slug:measure_id>/", views.measure_detail, name="measure"),
    path(
        "measures/<slug:measure_id>/funnel.svg", views.measure_funnel_chart, name="measure_funnel"
    ),
    path("concerns/<int:concern_id>/", views.concern_detail, name="concern"),
    path(
        "insights/staff-voice-by-cqc-rating/",
        views.staff_voice_by_rating,
        name="staff_voice_by_rating",
    ),
    path("targets/", views.target_list, name="targets"),
    path("targets/new/", views.target_edit, name="target_new"),
    path("targets/<slug:target_id>/", views.target_detail, name="target"),
    path("targets/<slug:target_id>/edit/", views.target_edit, name="target_edit"),
    path("targets/<slug:target_id>/status/", views.target_status, name="target_status"),
]
