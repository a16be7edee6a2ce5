from __future__ import annotations

from django import forms

from candour.web.leadership.models import SuccessionDecision


class DecisionForm(forms.Form):
    """A talent board's decision about one post. ``people`` are the choices offered: the
    ready-now people who match the post and its named successors."""

    kind = forms.ChoiceField(
        label="Decision", choices=SuccessionDecision.Kind.choices, widget=forms.RadioSelect
    )
    person = forms.ChoiceField(
        label="Person",
        required=False,
        widget=forms.RadioSelect,
        help_text="Needed to deploy, put forward or add a successor.",
    )
    rationale = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Recorded with the decision for the board's minutes. Do not include health "
        "or other sensitive personal information.",
    )

    def __init__(self, *args, people: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = people

    def clean(self):
        data = super().clean()
        if data.get("kind") in SuccessionDecision.PERSON_KINDS and not data.get("person"):
            self.add_error("person", "Choose the person this decision is about.")
        return data
