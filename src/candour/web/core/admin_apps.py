"""``django.contrib.admin`` with Candour's admin site (kept apart: app configs load before models)."""

from django.contrib.admin.apps import AdminConfig


class CandourAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`~candour.web.core.admin_site.CandourAdminSite` as
    ``admin.site``."""

    default_site = "candour.web.core.admin_site.CandourAdminSite"
