from django.urls import path

from candour.web.mortality import views

app_name = "mortality"
urlpatterns = [
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/chart.svg", views.alert_chart, name="alert_chart"),
    path("alerts/<int:alert_id>/respond/", views.alert_respond, name="alert_respond"),
    path("alerts/<int:alert_id>/review/", views.alert_review, name="alert_review"),
]
