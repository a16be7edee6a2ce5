from django.contrib import admin

from candour.web.core.admin import ReadOnlyAdmin, ReadOnlyInline
from candour.web.oversight.models import (
    Concern,
    ConcernEvidence,
    ImportRun,
    Measure,
    Organisation,
    Target,
)


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("ods_code", "name", "org_type", "region_name", "icb_name", "close_date")
    list_filter = ("org_type", "region_name")
    search_fields = ("ods_code", "name")


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "name",
        "domain",
        "unit",
        "improvement",
        "authored_by",
        "checked_by",
        "next_review",
    )
    list_filter = ("domain",)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ("imported_at", "dataset", "rows", "replaced", "imported_by", "sha256")


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "measure", "threshold", "set_by", "status")
    list_filter = ("status",)


class ConcernEvidenceInline(ReadOnlyInline):
    model = ConcernEvidence
    fields = ("kind", "summary", "reference", "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ("id", "organisation", "title", "status", "owner", "opened_at", "closed_at")
    list_filter = ("status", "origin")
    inlines = [ConcernEvidenceInline]
