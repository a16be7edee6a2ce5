from django.urls import path

from candour.web.core import views

app_name = "core"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
]
