"""The guardian's form referring a case into a conduct concern about a board member."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from candour.web.leadership.models import ConductConcern
from candour.web.leadership.queries_people import board_people
from candour.web.speakup.forms import SHARED_TEXT_WARNING


class ConductReferralForm(forms.Form):
    subject = forms.ChoiceField(label="The board member it is about")
    category = forms.ChoiceField(
        label="Category", choices=ConductConcern.Category.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label="Your summary for the chair and the investigators",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text="Write it yourself: do not paste what the person wrote. "
        + SHARED_TEXT_WARNING.format(who="the chair and the investigators"),
    )
    consent = forms.BooleanField(
        label="The person who spoke up has agreed to this referral",
        error_messages={"required": "Refer only with the agreement of the person who spoke up"},
    )
    consent_on = forms.DateField(
        label="The day they agreed",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Ask them first: for an anonymous concern, in a message on this case.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in board_people(organisation)}
        self.fields["subject"].choices = [(pk, p.name) for pk, p in self.people.items()]

    def clean_subject(self):
        return self.people[self.cleaned_data["subject"]]

    def clean_consent_on(self):
        day = self.cleaned_data["consent_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The day they agreed cannot be in the future")
        return day
