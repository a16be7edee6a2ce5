"""Django's admin site, read-only: every write goes through an action that records its audit
event, so the admin is for looking, not for changing."""

from django.contrib import admin
from django.contrib.auth.models import Group

from candour.web.core.access import has_role
from candour.web.core.models import AuditEvent, RoleGrant, User
from candour.web.core.roles import Role


class ReadOnlyAdmin(admin.ModelAdmin):
    """Administrators may look (decided by has_role, like every other page), never change."""

    def has_module_permission(self, request):
        return has_role(request.user, {Role.ADMIN})

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, {Role.ADMIN})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleGrantInline(ReadOnlyInline):
    model = RoleGrant
    fields = ("role", "organisation_code", "granted_at")
    readonly_fields = fields


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "first_name", "last_name", "is_active", "last_login")
    fields = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "last_login",
        "date_joined",
    )
    search_fields = ("username", "first_name", "last_name")
    inlines = [RoleGrantInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "actor", "action", "target_type", "target_id")
    list_filter = ("action",)
    search_fields = ("actor", "target_id")


admin.site.unregister(Group)  # Candour grants roles (RoleGrant), not Django groups
