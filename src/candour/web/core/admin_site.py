"""Candour's admin site: Django's, with its one write (changing your own password) done through
the audited action. Every ModelAdmin is read-only (candour.web.core.admin.ReadOnlyAdmin). Installed
as ``admin.site`` by :class:`candour.web.core.admin_apps.CandourAdminConfig`."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password change form, saving through ``actions.set_password``: the change
    and its audit event in one transaction."""

    def save(self, commit=True):
        from candour.web.core import actions

        actions.set_password(
            user=self.user, password=self.cleaned_data["new_password1"], by=self.user
        )
        return self.user


class CandourAdminSite(admin.AdminSite):
    site_header = "Candour administration (read-only)"
    site_title = "Candour administration"

    def password_change(self, request, extra_context=None):
        """Django's view (AdminSite.password_change) with the audited form."""
        request.current_app = self.name
        return PasswordChangeView.as_view(
            form_class=AuditedPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
            **(
                {"template_name": self.password_change_template}
                if self.password_change_template
                else {}
            ),
        )(request)
