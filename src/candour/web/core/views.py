from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from candour.web.core.access import SIGNED_IN, public, requires


@public
class SignInView(auth_views.LoginView):
    template_name = "core/sign_in.html"
    redirect_authenticated_user = True


@requires(*SIGNED_IN)
class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires)."""


@public
def health(request):
    """For load balancers: the process is up and serving."""
    return HttpResponse("ok", content_type="text/plain")
