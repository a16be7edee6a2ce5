"""The one place that decides access.

Every view declares who may use it with :func:`requires` (roles) or :func:`public`. The
middleware refuses any view that declares neither (deny by default), sends anonymous people to
sign in, and answers 403 to signed-in people without a granted role. :func:`has_role` is the
single test used everywhere else (templates, actions, the API).

Roles are granted for a scope (``RoleGrant.organisation_code``): no code for every organisation
(national), an organisation's ODS code for that organisation (``R0B``), or an NHS England region's
code for every organisation in that region (``Y56``; regions are ODS organisations too, so the two
kinds of code never collide). :func:`has_role_for` is the test for anything that belongs to one
organisation, and :func:`organisation_filter` the same test as a query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from candour.web.core.problems import API_PREFIX, problem_response
from candour.web.core.roles import ALL_ROLES, Role

PUBLIC = "public"
ACCESS_ATTRIBUTE = "candour_access"
# Django's admin site is for administrators only; its own views cannot carry our decorator.
NAMESPACE_ACCESS = {"admin": frozenset({Role.ADMIN})}
SIGNED_IN = ALL_ROLES  # any granted role
NATIONAL = ""  # a grant with no organisation code covers every organisation


def has_role(user, roles: Iterable[str]) -> bool:
    """True if ``user`` is signed in, active, and holds at least one of ``roles``."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(user.role_set() & frozenset(roles))


def granted_scopes(user, roles: Iterable[str]) -> frozenset[str]:
    """The codes ``user`` holds any of ``roles`` for (``NATIONAL``, ODS or region codes)."""
    if not has_role(user, roles):
        return frozenset()
    wanted = frozenset(roles)
    return frozenset(code for role, code in user.grant_set() if role in wanted)


def scopes_covering(organisation) -> frozenset[str]:
    """The grant codes that cover ``organisation``: national, its own and its region's."""
    return frozenset({NATIONAL, organisation.ods_code, organisation.region_code})


def has_role_for(user, roles: Iterable[str], organisation) -> bool:
    """True if ``user`` holds one of ``roles`` granted for ``organisation`` (an Organisation):
    nationally, for the organisation itself, or for its region."""
    return bool(granted_scopes(user, roles) & scopes_covering(organisation))


def has_national_role(user, roles: Iterable[str]) -> bool:
    """True if ``user`` holds one of ``roles`` for every organisation (a grant with no code)."""
    return NATIONAL in granted_scopes(user, roles)


def organisation_filter(user, roles: Iterable[str], field: str = "organisation") -> Q:
    """:func:`has_role_for` as a query on rows whose ``field`` is an organisation: all rows for a
    national grant, none without the role."""
    scopes = granted_scopes(user, roles)
    if NATIONAL in scopes:
        return Q()
    if not scopes:
        return Q(pk__in=[])
    return Q(**{f"{field}__ods_code__in": scopes}) | Q(**{f"{field}__region_code__in": scopes})


def requires(*roles: str) -> Callable:
    """Declare the roles that may use a view (function or class-based)."""
    if not roles:
        raise ValueError("requires() needs at least one role; use public() for open views")
    unknown = set(roles) - set(Role)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def mark(view):
        setattr(view, ACCESS_ATTRIBUTE, frozenset(roles))
        return view

    return mark


def public(view):
    """Declare a view open to everyone, signed in or not (sign-in page, health check)."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def declared_access(view_func, namespace: str | None = None):
    """The access a view declares: PUBLIC, a frozenset of roles, or None (refused)."""
    for candidate in (
        view_func,
        getattr(view_func, "view_class", None),
        getattr(view_func, "cls", None),
    ):
        if candidate is not None and hasattr(candidate, ACCESS_ATTRIBUTE):
            return getattr(candidate, ACCESS_ATTRIBUTE)
    if namespace in NAMESPACE_ACCESS:
        return NAMESPACE_ACCESS[namespace]
    return None


def users_with_role_for(roles: Iterable[str], organisation):
    """Active users holding one of ``roles`` granted for ``organisation``."""
    from candour.web.core.models import User

    return (
        User.objects.filter(
            is_active=True,
            role_grants__role__in=list(roles),
            role_grants__organisation_code__in=scopes_covering(organisation),
        )
        .distinct()
        .order_by("username")
    )


class AccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        namespace = match.namespaces[0] if match and match.namespaces else None
        access = declared_access(view_func, namespace)
        if access == PUBLIC:
            return None
        if access is None:
            raise PermissionDenied("this view declares no roles")
        if not request.user.is_authenticated:
            if request.path.startswith(API_PREFIX):
                return problem_response(401, "Sign in first.")
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, access):
            raise PermissionDenied("role not granted")
        return None
