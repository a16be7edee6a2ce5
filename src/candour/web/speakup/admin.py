"""The admin site shows speak-up cases' plaintext metadata only (read-only, for administrators):
never a sealed column, a message, a file, a name or the receipt lookup hash."""

from django.contrib import admin

from candour.web.core.admin import ReadOnlyAdmin
from candour.web.speakup.models import Case

METADATA_FIELDS = (
    "id",
    "organisation",
    "route",
    "channel",
    "status",
    "received_on",
    "patient_safety",
    "worker_safety",
    "bullying",
    "behaviours",
    "other_matter",
    "discrimination",
    "protected_characteristic",
    "professional_group",
    "raised_before",
    "detriment_at_intake",
    "risk",
    "immediate_harm",
    "acknowledged_on",
    "triaged_on",
    "actioned_on",
    "feedback_given_on",
    "closed_on",
    "outcome",
    "speak_up_again",
    "expires_on",
    "legal_hold",
    "shredded_on",
)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "organisation", "route", "status", "received_on", "closed_on")
    list_filter = ("status", "route", "organisation")
    fields = METADATA_FIELDS
    readonly_fields = METADATA_FIELDS
    search_fields = ("organisation__ods_code",)
