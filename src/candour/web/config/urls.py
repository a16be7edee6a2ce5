from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("candour.web.oversight.urls")),
    path("", include("candour.web.core.urls")),
    path("api/requests/", include("candour.web.datarequests.api_urls")),
    path("api/", include("candour.web.oversight.api_urls")),
    path("speak-up/", include("candour.web.speakup.urls")),
    path("leadership/", include("candour.web.leadership.urls")),
    path("mortality/", include("candour.web.mortality.urls")),
    path("requests/", include("candour.web.datarequests.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "candour.web.core.views.bad_request"
handler403 = "candour.web.core.views.permission_denied"
handler404 = "candour.web.core.views.page_not_found"
handler500 = "candour.web.core.views.server_error"
