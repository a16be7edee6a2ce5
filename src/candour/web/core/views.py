from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import resolve_url

from candour.web.core.access import SIGNED_IN, has_role, public, requires
from candour.web.core.roles import Role

# Where a person lands after signing in (unless a ?next= page was asked for): the page of the
# first of these roles they hold, in this order; everyone else settings.LOGIN_REDIRECT_URL.
LANDING_PAGES: tuple[tuple[str, str], ...] = ((Role.TALENT_BOARD, "leadership:home"),)


def landing_url(user) -> str:
    for role, url_name in LANDING_PAGES:
        if has_role(user, [role]):
            return resolve_url(url_name)
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@public
class SignInView(auth_views.LoginView):
    template_name = "core/sign_in.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


@requires(*SIGNED_IN)
class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires)."""


@public
def health(request):
    """For load balancers: the process is up and serving."""
    return HttpResponse("ok", content_type="text/plain")
