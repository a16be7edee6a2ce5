from candour.web.core.access import has_role
from candour.web.core.roles import ALL_ROLES


def navigation(request):
    """What the header shows: the signed-in person's roles."""
    user = getattr(request, "user", None)
    signed_in = has_role(user, ALL_ROLES)
    return {
        "signed_in": signed_in,
        "user_roles": sorted(user.role_set()) if signed_in else [],
    }
