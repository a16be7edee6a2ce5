"""Forms for fit-and-proper records, board references and conduct concerns."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from candour.web.leadership.models import ConductConcern, FitAndProperCheck, FitAndProperRecord
from candour.web.leadership.models_fitness import FPPT_CHECK_LABELS

EVIDENCE_STAYS_LOCAL = (
    "Where the evidence is held (for example ESR, or the HR file's reference). The evidence "
    "itself stays there: do not copy it into Candour."
)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class StartRecordForm(forms.Form):
    """A record for one of the board's current members (identified by the ledger)."""

    member = forms.ChoiceField(label="Board member")
    name = forms.CharField(
        label="Their name", max_length=120, required=False, help_text="Needed the first time."
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=_date(),
        help_text="Sets how long the records are kept: until their 75th birthday. Shown nowhere.",
    )
    year = forms.IntegerField(label="Year", min_value=2020, max_value=2100)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {m.person_id: m for m in members}
        self.fields["member"].choices = [
            (m.person_id, f"{m.post.name}: {m.person.name if m.person else m.person_id}")
            for m in members
        ]
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        member = self.members.get(data.get("member"))
        if member is not None and member.person is None and not data.get("name"):
            self.add_error("name", "Enter their name")
        data["member"] = member
        return data


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label="Check", choices=list(FPPT_CHECK_LABELS.items()))
    checked_on = forms.DateField(label="Checked on", widget=_date())
    result = forms.ChoiceField(
        label="Result", choices=FitAndProperCheck.Result.choices, widget=forms.RadioSelect
    )
    evidence_held_at = forms.CharField(
        label="Evidence held at", max_length=200, help_text=EVIDENCE_STAYS_LOCAL
    )


class DateStepForm(forms.Form):
    on = forms.DateField(label="Completed on", widget=_date())


class SignOffForm(forms.Form):
    outcome = forms.ChoiceField(
        label="The chair's decision",
        choices=[c for c in FitAndProperRecord.Outcome.choices if c[0]],
        widget=forms.RadioSelect,
    )
    actions = forms.CharField(
        label="Actions (if any)", required=False, widget=_textarea(3), max_length=4000
    )


class SubmitForm(forms.Form):
    """Nothing to fill in: the button sends the return to the region."""


class ReferenceForm(forms.Form):
    holding = forms.ChoiceField(label="Director who has left or is leaving")
    name = forms.CharField(label="Their name", max_length=120, required=False)
    requested_by = forms.CharField(label="Organisation asking for the reference", max_length=200)
    investigations = forms.BooleanField(
        label="There were investigations into their conduct or performance", required=False
    )
    misconduct_found = forms.BooleanField(
        label="There were findings of misconduct or mismanagement", required=False
    )
    details = forms.CharField(label="Details", required=False, widget=_textarea(4), max_length=6000)

    def __init__(self, *args, holdings, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.holdings = {str(h.pk): h for h in holdings}
        self.people = people
        self.fields["holding"].choices = [
            (
                pk,
                f"{h.post.name}: {people[h.person_id].name if h.person_id in people else h.person_id}"
                f" (left {h.end:%d %B %Y})",
            )
            for pk, h in self.holdings.items()
        ]

    def clean(self):
        data = super().clean()
        holding = self.holdings.get(data.get("holding"))
        if holding is not None and holding.person_id not in self.people and not data.get("name"):
            self.add_error("name", "Enter their name")
        data["holding"] = holding
        return data


class ConductForm(forms.Form):
    subject = forms.ChoiceField(label="Who it is about")
    category = forms.ChoiceField(
        label="Category", choices=ConductConcern.Category.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(label="Summary", widget=_textarea(5), max_length=4000)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["subject"].choices = [(pk, p.name) for pk, p in self.people.items()]

    def clean_subject(self):
        return self.people[self.cleaned_data["subject"]]


class InvestigatorsForm(forms.Form):
    investigators = forms.MultipleChoiceField(
        label="Who investigates", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {str(u.pk): u for u in users}
        self.fields["investigators"].choices = [
            (pk, u.get_full_name() or u.get_username()) for pk, u in self.users.items()
        ]

    def clean_investigators(self):
        return [self.users[pk] for pk in self.cleaned_data["investigators"]]


class FindingsForm(forms.Form):
    findings = forms.CharField(label="Findings so far", widget=_textarea(5), max_length=8000)


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[c for c in ConductConcern.Outcome.choices if c[0]],
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(label="Findings", widget=_textarea(5), max_length=8000)
    fitness_impact = forms.ChoiceField(
        label="What it means for their fitness",
        choices=[c for c in ConductConcern.FitnessImpact.choices if c[0]],
        widget=forms.RadioSelect,
    )
    fitness_record = forms.ChoiceField(
        label="Their fit-and-proper record it affects", required=False
    )

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = {str(r.pk): r for r in records}
        self.fields["fitness_record"].choices = [("", "None")] + [
            (pk, f"{r.year}") for pk, r in self.records.items()
        ]

    def clean_fitness_record(self):
        return self.records.get(self.cleaned_data.get("fitness_record") or "")
