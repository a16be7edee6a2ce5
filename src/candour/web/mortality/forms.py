"""The trust's response and regional oversight's review. Error messages follow the NHS.UK
pattern: each says what to do, in the same words beside the field and in the error summary."""

from __future__ import annotations

from django import forms

from candour.web.mortality.models import AlertReview
from candour.web.oversight.models import ConcernEvidence

TEXT_ROWS = 6


def _text(label: str, help_text: str, message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
        error_messages={"required": message},
    )


class ResponseForm(forms.Form):
    """The trust's findings: every part is needed (say so if a part found nothing)."""

    coding_review = _text(
        "Coding review",
        "Were the deaths and the admissions coded correctly (primary diagnosis, comorbidities, "
        "palliative care)? What did the review find, and how many records did it check?",
        "Enter the findings of the coding review",
    )
    case_note_review = _text(
        "Case-note review",
        "What did clinicians find in the case notes of the patients who died: avoidable "
        "factors, problems in care, patterns?",
        "Enter the findings of the case-note review",
    )
    action_plan = _text(
        "Action plan",
        "What the trust will do, who leads it and by when. If the reviews found nothing to act "
        "on, say why.",
        "Enter the action plan",
    )


class EvidenceChoice(forms.ModelChoiceField):
    def label_from_instance(self, evidence: ConcernEvidence) -> str:
        return f"{evidence.reference or evidence.get_kind_display()} ({evidence.recorded_by})"


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=AlertReview.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to accept the response or return it"},
    )
    evidence = EvidenceChoice(
        label="Evidence the alert is closed on",
        help_text="Needed to accept: the alert closes only on recorded evidence.",
        queryset=ConcernEvidence.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    note = forms.CharField(
        label="Note for the trust",
        help_text="Why the response is accepted, or what more is needed.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter a note saying why"},
    )

    def __init__(self, *args, evidence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence

    def clean(self):
        data = super().clean()
        if data.get("decision") == AlertReview.Decision.ACCEPT and not data.get("evidence"):
            self.add_error("evidence", "Select the evidence the alert is closed on")
        return data
