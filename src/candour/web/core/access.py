"""The one place that decides access.

Every view declares who may use it with :func:`requires` (roles) or :func:`public`. The
middleware refuses any view that declares neither (deny by default), sends anonymous people to
sign in, and answers 403 to signed-in people without a granted role. :func:`has_role` is the
single test used everywhere else (templates, actions, the API).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from candour.web.core.problems import API_PREFIX, problem_response
from candour.web.core.roles import ALL_ROLES, Role

PUBLIC = "public"
ACCESS_ATTRIBUTE = "candour_access"
# Django's admin site is for administrators only; its own views cannot carry our decorator.
NAMESPACE_ACCESS = {"admin": frozenset({Role.ADMIN})}
SIGNED_IN = ALL_ROLES  # any granted role


def has_role(user, roles: Iterable[str]) -> bool:
    """True if ``user`` is signed in, active, and holds at least one of ``roles``."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(user.role_set() & frozenset(roles))


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
