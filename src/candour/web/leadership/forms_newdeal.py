"""Forms for new-deal packages and their commitments."""

from __future__ import annotations

import datetime as dt

from django import forms

from candour.analytics.leadership.newdeal import STATUSES
from candour.web.leadership.models_newdeal import KIND_LABELS, PARTY_LABELS, STATUS_LABELS


def _date(**kwargs) -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class PackageForm(forms.Form):
    organisation = forms.ChoiceField(label="Trust")
    chief_executive_id = forms.CharField(
        label="Incoming chief executive: identifier",
        max_length=40,
        help_text="As in the board posts ledger or the talent pool (for example their ESR number).",
    )
    chief_executive_name = forms.CharField(label="Incoming chief executive: name", max_length=120)
    chair_id = forms.CharField(label="Chair: identifier (optional)", max_length=40, required=False)
    chair_name = forms.CharField(label="Chair: name (optional)", max_length=120, required=False)
    starts_on = _date(label="The chief executive starts on")
    agreed_on = _date(label="Agreed on")
    protected_until = _date(
        label="Protected period ends (optional)",
        required=False,
        help_text="Kerr's 'right balance of space': no new demands from the centre until then.",
    )
    summary = forms.CharField(
        label="What success looks like",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]

    def clean(self):
        data = super().clean()
        data["organisation"] = self.organisations.get(data.get("organisation"))
        if bool(data.get("chair_id")) != bool(data.get("chair_name")):
            self.add_error("chair_name", "Give both the chair's identifier and name, or neither")
        return data


def _dated_lines(text: str, *, values: bool) -> list:
    """Lines of ``YYYY-MM-DD`` (``values``: ``YYYY-MM-DD number``), blank lines skipped."""
    result = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        try:
            day = dt.date.fromisoformat(parts[0])
            if values:
                if len(parts) != 2:
                    raise ValueError
                result.append((day, float(parts[1])))
            else:
                if len(parts) != 1:
                    raise ValueError
                result.append(day)
        except ValueError:
            expected = "a date and a number, like 2026-03-31 0.78" if values else "a date"
            raise forms.ValidationError(f"Line {number}: expected {expected}") from None
    return result


class CommitmentForm(forms.Form):
    party = forms.ChoiceField(
        label="Who commits", choices=list(PARTY_LABELS.items()), widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label="What kind", choices=list(KIND_LABELS.items()))
    description = forms.CharField(
        label="The commitment", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    owner = forms.CharField(label="Owner (a named person)", max_length=120)
    due_on = _date(label="Due by")
    capital_pounds = forms.IntegerField(
        label="Capital, in pounds (capital only)", required=False, min_value=1
    )
    measure = forms.ChoiceField(label="Candour measure (success measures only)", required=False)
    baseline_value = forms.FloatField(
        label="Baseline value (success measures only)",
        required=False,
        help_text="In the measure's unit: a proportion as 0.72 for 72%.",
    )
    baseline_on = _date(label="Baseline date (success measures only)", required=False)
    trajectory = forms.CharField(
        label="Trajectory (success measures only)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One point a line: the date and the value expected by then, like "
        "2026-03-31 0.78.",
    )
    review_dates = forms.CharField(
        label="Review dates (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One date a line.",
    )

    def __init__(self, *args, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = {m.pk: m for m in measures}
        self.fields["measure"].choices = [("", "None")] + [
            (m.pk, m.name) for m in self.measures.values()
        ]

    def clean_measure(self):
        return self.measures.get(self.cleaned_data.get("measure") or "")

    def clean_trajectory(self):
        return _dated_lines(self.cleaned_data.get("trajectory") or "", values=True)

    def clean_review_dates(self):
        return _dated_lines(self.cleaned_data.get("review_dates") or "", values=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=[(s, STATUS_LABELS[s]) for s in STATUSES])
