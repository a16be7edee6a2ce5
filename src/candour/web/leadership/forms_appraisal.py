"""Forms for appraisals and 360 feedback. The competency forms are built from the appraisal's
framework version (data), one question per competency."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from candour.analytics.leadership.constants import MOBILITY, POOL_KINDS, READINESS, ROLE_LABELS
from candour.web.leadership.models import MOBILITY_LABELS, POOL_LABELS
from candour.web.leadership.models_appraisal import (
    GROWTH_LABELS,
    IMPACT_LABELS,
    READINESS_LABELS,
    RELATIONSHIP_LABELS,
)

PRIVATE_TEXT = "Only the person appraised and their appraiser read this."
EXECUTIVE_ROLES = [(r, ROLE_LABELS[r]) for r in ROLE_LABELS if r not in ("non_executive", "other")]


def posted(request):
    """The form data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class StartAppraisalForm(forms.Form):
    person = forms.ChoiceField(
        label="Who is being appraised",
        help_text="People at your organisations with a Candour account (so they can see it).",
    )
    year = forms.IntegerField(label="Appraisal year", min_value=2020, max_value=2100)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["person"].choices = [
            (pk, f"{p.name}, {p.organisation.name}") for pk, p in self.people.items()
        ]
        self.fields["year"].initial = timezone.localdate().year

    def clean_person(self):
        return self.people[self.cleaned_data["person"]]


def level_choices(framework) -> list[tuple[str, str]]:
    return [(str(level.pk), level.label) for level in framework.levels.all()]


class CompetencyForm(forms.Form):
    """One rating per competency (radios of the scale), with evidence when ``evidence`` is set.
    ``required``: every competency must be answered (a 360 answer); otherwise a rating may be
    left out until the form is submitted as complete."""

    def __init__(self, *args, framework, evidence: bool, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.levels = {str(level.pk): level for level in framework.levels.all()}
        self.domains = []
        for domain in framework.domains.prefetch_related("competencies"):
            names = []
            for competency in domain.competencies.all():
                name = f"level_{competency.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=f"{competency.key} {competency.statement}",
                    choices=level_choices(framework),
                    widget=forms.RadioSelect,
                    required=required,
                    error_messages={"required": f"Choose an answer for {competency.key}"},
                )
                entry = {"competency": competency, "level": name}
                if evidence:
                    self.fields[f"evidence_{competency.pk}"] = forms.CharField(
                        label=f"Evidence for {competency.key}",
                        widget=_textarea(2),
                        required=False,
                        max_length=4000,
                    )
                    entry["evidence"] = f"evidence_{competency.pk}"
                names.append(entry)
            self.domains.append((domain, names))

    def bound_domains(self):
        """For the template: each domain with its competencies' bound fields."""
        return [
            (
                domain,
                [
                    (
                        e["competency"],
                        self[e["level"]],
                        self[e["evidence"]] if "evidence" in e else None,
                    )
                    for e in entries
                ],
            )
            for domain, entries in self.domains
        ]

    def ratings(self):
        """(competency, level or None, evidence) for every competency."""
        return [
            (
                e["competency"],
                self.levels.get(self.cleaned_data.get(e["level"]) or ""),
                self.cleaned_data.get(e.get("evidence", ""), "") or "",
            )
            for _, entries in self.domains
            for e in entries
        ]


class ObjectiveForm(forms.Form):
    objective = forms.CharField(label="Objective", widget=_textarea(), max_length=2000)
    success_measure = forms.CharField(
        label="How you will both know it is met", widget=_textarea(2), max_length=2000
    )
    due_on = forms.DateField(label="Due by", widget=_date())


class DevelopmentActionForm(forms.Form):
    action = forms.CharField(label="Development action", widget=_textarea(2), max_length=2000)
    support = forms.CharField(
        label="Support (optional)",
        required=False,
        max_length=2000,
        help_text="For example coaching, a programme, a secondment or a stretch assignment.",
    )
    due_on = forms.DateField(label="By", widget=_date())


class FeedbackRequestForm(forms.Form):
    rater = forms.ChoiceField(label="Who to ask")
    relationship = forms.ChoiceField(
        label="Their relationship to the person appraised",
        choices=list(RELATIONSHIP_LABELS.items()),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, raters, **kwargs):
        super().__init__(*args, **kwargs)
        self.raters = {str(u.pk): u for u in raters}
        self.fields["rater"].choices = [
            (pk, u.get_full_name() or u.get_username()) for pk, u in self.raters.items()
        ]

    def clean_rater(self):
        return self.raters[self.cleaned_data["rater"]]


class CloseForm(forms.Form):
    summary = forms.CharField(
        label="Appraisal summary",
        widget=_textarea(4),
        max_length=6000,
        help_text=PRIVATE_TEXT + " Closing releases the 360 feedback, once.",
    )


class CareerConversationForm(forms.Form):
    held_on = forms.DateField(label="Date of the conversation", widget=_date())
    impact = forms.ChoiceField(
        label="Impact in the role now",
        choices=list(IMPACT_LABELS.items()),
        widget=forms.RadioSelect,
    )
    growth = forms.ChoiceField(
        label="The growth they want", choices=list(GROWTH_LABELS.items()), widget=forms.RadioSelect
    )
    aspiration = forms.CharField(
        label="Their aspiration, in their words", widget=_textarea(3), max_length=4000
    )
    plan = forms.CharField(
        label="The development plan agreed", widget=_textarea(3), max_length=4000
    )
    nominate = forms.BooleanField(label="Nominate them to the region's talent pool", required=False)
    readiness = forms.ChoiceField(
        label="Readiness",
        required=False,
        choices=[(r, READINESS_LABELS[r]) for r in READINESS],
        widget=forms.RadioSelect,
    )
    pool = forms.ChoiceField(
        label="Talent pool",
        required=False,
        choices=[(p, POOL_LABELS[p]) for p in POOL_KINDS],
        widget=forms.RadioSelect,
    )
    mobility = forms.ChoiceField(
        label="How far they will move",
        required=False,
        choices=[(m, MOBILITY_LABELS[m]) for m in MOBILITY],
        widget=forms.RadioSelect,
    )
    target_roles = forms.MultipleChoiceField(
        label="Board roles they aim for",
        required=False,
        choices=EXECUTIVE_ROLES,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("nominate"):
            for name, message in (
                ("readiness", "Choose how ready they are"),
                ("pool", "Choose the talent pool"),
                ("mobility", "Choose how far they will move"),
                ("target_roles", "Choose the board roles they aim for"),
            ):
                if not data.get(name):
                    self.add_error(name, message)
        return data
