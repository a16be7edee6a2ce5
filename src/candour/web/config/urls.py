from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Candour administration (read-only)"
admin.site.site_title = "Candour administration"

urlpatterns = [
    path("", include("candour.web.oversight.urls")),
    path("", include("candour.web.core.urls")),
    path("api/", include("candour.web.oversight.api_urls")),
    path("speak-up/", include("candour.web.speakup.urls")),
    path("leadership/", include("candour.web.leadership.urls")),
    path("admin/", admin.site.urls),
]
