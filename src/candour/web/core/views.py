from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.views import defaults

from candour.web.core.access import SIGNED_IN, has_role, public, requires
from candour.web.core.problems import is_api_request, problem_response
from candour.web.core.roles import Role

# Where a person lands after signing in (unless a ?next= page was asked for): where the work of
# the first of these roles they hold is, in this order; everyone else settings.LOGIN_REDIRECT_URL.
# Regional oversight granted for a region lands on its region's table, granted for one
# organisation (or a board member granted for one) on its page; nationally, on the national
# table of trusts by concern.
LANDING_PAGES: tuple[tuple[str, str], ...] = (
    (Role.REGIONAL, "oversight:ranking"),
    (Role.TALENT_BOARD, "leadership:home"),
    (Role.REQUESTER, "datarequests:list"),
    (Role.GUARDIAN, "speakup:cases"),
    (Role.BOARD, "oversight:ranking"),
    (Role.ANALYST, "oversight:ranking"),
    (Role.STAFF, "speakup:start"),
)
SCOPED_LANDINGS = {Role.REGIONAL, Role.BOARD}


def landing_url(user) -> str:
    for role, url_name in LANDING_PAGES:
        if has_role(user, [role]):
            scoped = _scoped_landing(user, role) if role in SCOPED_LANDINGS else None
            return scoped or resolve_url(url_name)
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _scoped_landing(user, role: str) -> str | None:
    """A grant for one region or organisation lands there (the first such grant)."""
    from candour.web.oversight.models import Organisation

    codes = sorted(
        user.role_grants.filter(role=role)
        .exclude(organisation_code="")
        .values_list("organisation_code", flat=True)
    )
    for code in codes:
        if Organisation.objects.filter(pk=code).exists():
            return resolve_url("oversight:organisation", ods_code=code)
        if Organisation.objects.filter(region_code=code).exists():
            return resolve_url("oversight:region", region_code=code)
    return None


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


# Django's error handlers (set in candour.web.config.urls): problem details under /api/, the
# usual pages elsewhere.


def bad_request(request, exception):
    if is_api_request(request):
        return problem_response(400, "The request could not be read.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return problem_response(403, "Your roles do not include this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_request(request):
        return problem_response(404, "There is nothing at this address.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return problem_response(500, "Sorry, there is a problem with the service.")
    return defaults.server_error(request)
