"""Forms for the reporter's and the guardian's pages. Each validates on its own; the actions
then enforce the rules that depend on the case (status order, second approvers...)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from candour.web.core.models import User
from candour.web.core.roles import Role
from candour.web.speakup import policy
from candour.web.speakup.choices import (
    CATEGORIES,
    Channel,
    Detriment,
    DetrimentAtIntake,
    Outcome,
    ProfessionalGroup,
    ProtectedCharacteristic,
    RaisedBefore,
    ReferralKind,
    Risk,
    Route,
    SpeakUpAgain,
)

NARRATIVE_MAX = 20_000
MESSAGE_MAX = 10_000
SHARED_TEXT_WARNING = (
    "This text is not encrypted: {who} can read it. Do not include anything that could identify "
    "the person who spoke up."
)
CATEGORY_CHOICES = list(CATEGORIES.items())


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def errors(missing: str, **more: str) -> dict[str, str]:
    """Error messages in the NHS.UK pattern (service-manual.nhs.uk, "Error message"): say what to
    do, specific to the question, no field label in front: "Select how you want to speak up",
    "Enter what happened", "What happened must be 20,000 characters or fewer"."""
    return {"required": missing, "invalid_choice": missing, "invalid": missing, **more}


def too_long(what: str, limit: int) -> str:
    return f"{what} must be {limit:,} characters or fewer"


# -------------------------------------------------------------------------------------- reporter

DATE_NOT_REAL = "The date it happened must be a real date"
DATE_INCOMPLETE = (
    "The date it happened must include a day, month and year, or leave all three empty"
)
DATE_IN_FUTURE = "The date it happened must be today or in the past"
DATE_ERRORS = errors(
    DATE_NOT_REAL, min_value=DATE_NOT_REAL, max_value=DATE_NOT_REAL, max_digits=DATE_NOT_REAL
)


class ConcernForm(forms.Form):
    route = forms.ChoiceField(
        label="How do you want to speak up?",
        choices=Route.choices,
        widget=forms.RadioSelect,
        error_messages=errors("Select how you want to speak up"),
        help_text="You can be anonymous. You will get a receipt code to follow your concern up "
        "whichever you choose.",
    )
    identity = forms.CharField(
        label="Your name, role and how to contact you",
        required=False,
        max_length=1000,
        widget=_textarea(3),
        error_messages=errors(
            "Enter your name, role and how to contact you",
            max_length=too_long("Your name, role and how to contact you", 1000),
        ),
        help_text="Only if you speak up openly or confidentially. Leave it empty to stay "
        "anonymous. It is kept in a separate locked envelope.",
    )
    categories = forms.MultipleChoiceField(
        label="What is it about?",
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages=errors("Select what your concern is about"),
        help_text="Select all that apply.",
    )
    protected_characteristic = forms.ChoiceField(
        label="If it is about discrimination: on what grounds?",
        required=False,
        choices=[
            ("", "Choose one (if it is about discrimination)"),
            *ProtectedCharacteristic.choices,
        ],
    )
    narrative = forms.CharField(
        label="What happened?",
        max_length=NARRATIVE_MAX,
        widget=_textarea(8),
        error_messages=errors(
            "Enter what happened", max_length=too_long("What happened", NARRATIVE_MAX)
        ),
        help_text="Tell us what you saw or experienced, who was affected and anything you think "
        "should happen. If you want to stay anonymous, leave out details only you would know.",
    )
    location = forms.CharField(
        label="Where did it happen? (optional)",
        required=False,
        max_length=500,
        error_messages=errors(
            "Enter where it happened", max_length=too_long("Where it happened", 500)
        ),
        help_text="For example a ward, department or site.",
    )
    happened_day = forms.IntegerField(
        required=False, min_value=1, max_value=31, label="Day", error_messages=DATE_ERRORS
    )
    happened_month = forms.IntegerField(
        required=False, min_value=1, max_value=12, label="Month", error_messages=DATE_ERRORS
    )
    happened_year = forms.IntegerField(
        required=False, min_value=1990, max_value=2100, label="Year", error_messages=DATE_ERRORS
    )
    professional_group = forms.ChoiceField(
        label="Which group of staff do you work in?",
        choices=[("", "Choose your staff group"), *ProfessionalGroup.choices],
        error_messages=errors("Select which group of staff you work in"),
    )
    raised_before = forms.ChoiceField(
        label="Have you raised this before?",
        choices=RaisedBefore.choices,
        widget=forms.RadioSelect,
        error_messages=errors("Select whether you have raised this before"),
    )
    detriment_at_intake = forms.ChoiceField(
        label="Have you already been treated badly because you spoke up about this?",
        choices=DetrimentAtIntake.choices,
        widget=forms.RadioSelect,
        error_messages=errors("Select whether you have been treated badly for speaking up"),
    )
    attachment = forms.FileField(
        label="Attach a file (optional)",
        required=False,
        help_text="Photos (JPEG, PNG) have their hidden details such as location and camera "
        "removed. Other files (PDF, Word, other images) keep theirs, such as the author's name: "
        "check them before you attach them.",
    )

    ANONYMOUS_WITH_IDENTITY = (
        "Delete your name and contact details, or choose to speak up openly or confidentially"
    )
    NAMED_WITHOUT_IDENTITY = (
        "Enter your name, role and how to contact you, or choose to speak up anonymously"
    )
    DISCRIMINATION_WITHOUT_GROUNDS = (
        "Select the grounds of the discrimination, or 'I would rather not say'"
    )

    def clean(self):
        data = super().clean()
        route, identity = data.get("route"), (data.get("identity") or "").strip()
        if route == Route.ANONYMOUS and identity:
            self.add_error("identity", self.ANONYMOUS_WITH_IDENTITY)
        if route in (Route.OPEN, Route.CONFIDENTIAL) and not identity:
            self.add_error("identity", self.NAMED_WITHOUT_IDENTITY)
        if "discrimination" in (data.get("categories") or []) and not data.get(
            "protected_characteristic"
        ):
            self.add_error("protected_characteristic", self.DISCRIMINATION_WITHOUT_GROUNDS)
        data["happened_on"] = self._happened_on(data)
        return data

    # What submit_concern takes from the cleaned form (the attachment is cleaned separately).
    SUBMITTED = (
        "route",
        "narrative",
        "location",
        "happened_on",
        "categories",
        "protected_characteristic",
        "professional_group",
        "raised_before",
        "detriment_at_intake",
        "identity",
    )

    def submission(self) -> dict:
        """Keyword arguments for :func:`candour.web.speakup.actions.submit_concern`."""
        return {name: self.cleaned_data[name] for name in self.SUBMITTED}

    def _happened_on(self, data) -> datetime.date | None:
        parts = [data.get(name) for name in ("happened_day", "happened_month", "happened_year")]
        if all(part is None for part in parts):
            return None
        if any(part is None for part in parts):
            self.add_error("happened_day", DATE_INCOMPLETE)
            return None
        day, month, year = parts
        try:
            happened = datetime.date(year, month, day)
        except ValueError:
            self.add_error("happened_day", DATE_NOT_REAL)
            return None
        if happened > timezone.localdate():
            self.add_error("happened_day", DATE_IN_FUTURE)
            return None
        return happened


class RecordedConcernForm(ConcernForm):
    """A concern a guardian received in person, by phone, by email or through a champion, and
    records for the person: the same fields, asked about them rather than of them."""

    organisation = forms.ChoiceField(label="Organisation")
    channel = forms.ChoiceField(
        label="How did the concern reach you?",
        choices=[(value, label) for value, label in Channel.choices if value != Channel.WEB],
        widget=forms.RadioSelect,
    )
    THIRD_PERSON = {
        "route": (
            "How does the person want to speak up?",
            "Whichever they choose, they get a receipt to follow their concern up online.",
        ),
        "identity": (
            "Their name, role and how to contact them",
            "Only if they speak up openly or confidentially. It is kept in a separate locked "
            "envelope.",
        ),
        "narrative": ("What happened?", "What they told you, in their words where you can."),
        "professional_group": ("Which group of staff do they work in?", None),
        "raised_before": ("Have they raised this before?", None),
        "detriment_at_intake": (
            "Have they already been treated badly because they spoke up about this?",
            None,
        ),
    }

    ANONYMOUS_WITH_IDENTITY = (
        "Delete their name and contact details, or choose to speak up openly or confidentially"
    )
    NAMED_WITHOUT_IDENTITY = (
        "Enter their name, role and how to contact them, or choose to speak up anonymously"
    )

    THIRD_PERSON_ERRORS = {
        "organisation": "Select the organisation",
        "channel": "Select how the concern reached you",
        "route": "Select how the person wants to speak up",
        "identity": "Enter their name, role and how to contact them",
        "categories": "Select what the concern is about",
        "professional_group": "Select which group of staff they work in",
        "raised_before": "Select whether they have raised this before",
        "detriment_at_intake": "Select whether they have been treated badly for speaking up",
    }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        for name, (label, help_text) in self.THIRD_PERSON.items():
            self.fields[name].label = label
            if help_text is not None:
                self.fields[name].help_text = help_text
        for name, message in self.THIRD_PERSON_ERRORS.items():
            field = self.fields[name]
            field.error_messages = {**field.error_messages, "required": message}
            if "invalid_choice" in field.error_messages and name != "organisation":
                field.error_messages["invalid_choice"] = message


class ConfirmReceiptForm(forms.Form):
    NOT_THE_END = "The last 4 characters do not match your receipt: check what you saved"

    last_group = forms.CharField(
        label="Type the last 4 characters of your receipt",
        max_length=9,
        error_messages=errors(
            "Enter the last 4 characters of your receipt", max_length=NOT_THE_END
        ),
        help_text="This shows you have saved it. We cannot show it to you again.",
    )


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label="Your receipt",
        max_length=60,
        error_messages=errors(
            "Enter your receipt", max_length="Your receipt must be 20 characters"
        ),
        help_text="20 letters and numbers, for example ABCD-EFGH-JKMN-PQRS-TVWX. Capitals, "
        "spaces and dashes do not matter.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MESSAGE_MAX,
        widget=_textarea(5),
        error_messages=errors(
            "Enter your message", max_length=too_long("Your message", MESSAGE_MAX)
        ),
    )


class SpeakUpAgainForm(forms.Form):
    answer = forms.ChoiceField(
        label="Given your experience, would you speak up again?",
        choices=SpeakUpAgain.choices,
        widget=forms.RadioSelect,
        error_messages=errors("Select whether you would speak up again"),
    )
    comment = forms.CharField(
        label="Anything you want to tell us about your experience? (optional)",
        required=False,
        max_length=MESSAGE_MAX,
        widget=_textarea(3),
        error_messages=errors("", max_length=too_long("What you tell us", MESSAGE_MAX)),
    )


class CheckInForm(forms.Form):
    answer = forms.ChoiceField(
        label="Since you spoke up, have you been treated badly because of it?",
        choices=Detriment.choices,
        widget=forms.RadioSelect,
        error_messages=errors("Select whether you have been treated badly since you spoke up"),
        help_text="For example being left out, given worse shifts, or criticised unfairly.",
    )
    comment = forms.CharField(
        label="Tell us more (optional)",
        required=False,
        max_length=MESSAGE_MAX,
        widget=_textarea(3),
        error_messages=errors("", max_length=too_long("What you tell us", MESSAGE_MAX)),
    )


class AddFileForm(forms.Form):
    # Not required here: the view says "Select a file" itself, after the upload handler has had
    # its say (a file over the limit never reaches the form).
    attachment = forms.FileField(
        label="Add a file",
        required=False,
        error_messages=errors("Select a file"),
        help_text="One file. Photos (JPEG, PNG) have their hidden details such as "
        "location and camera removed. Other files keep theirs, such as the author's name: check "
        "them first.",
    )


# -------------------------------------------------------------------------------------- guardian


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RecoveryKeyForm(forms.Form):
    recovery_key = forms.CharField(
        label="Your recovery key",
        max_length=120,
        help_text="52 letters and numbers, as printed. Spaces and dashes do not matter.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RecoverForm(RecoveryKeyForm, PasswordForm):
    pass


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the person who spoke up", max_length=MESSAGE_MAX, widget=_textarea(5)
    )


class FeedbackForm(forms.Form):
    body = forms.CharField(
        label="Feedback on the action taken",
        max_length=MESSAGE_MAX,
        widget=_textarea(6),
        help_text="What was done about the concern, and what changes. The person who spoke up "
        "reads this.",
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Private note",
        max_length=MESSAGE_MAX,
        widget=_textarea(4),
        help_text="Encrypted; seen only by guardians of this case, never by the person who spoke up.",
    )


class TriageForm(forms.Form):
    risk = forms.ChoiceField(label="Risk", choices=Risk.choices, widget=forms.RadioSelect)
    immediate_harm = forms.BooleanField(
        label="There is a risk of immediate harm (escalate now, for example by a referral)",
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label="Categories for the national return",
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    protected_characteristic = forms.ChoiceField(
        label="Grounds of discrimination",
        required=False,
        choices=[("", "Not about discrimination"), *ProtectedCharacteristic.choices],
    )

    def clean(self):
        data = super().clean()
        if "discrimination" in (data.get("categories") or []) and not data.get(
            "protected_characteristic"
        ):
            self.add_error("protected_characteristic", "Choose the grounds of the discrimination.")
        return data


class OwnerField(forms.ModelChoiceField):
    """People holding a role at one organisation, shown by name (and their roles there)."""

    def __init__(self, *args, organisation_code: str = "", **kwargs):
        self.organisation_code = organisation_code
        super().__init__(*args, **kwargs)

    def label_from_instance(self, user) -> str:
        roles = sorted(
            Role(grant.role).label
            for grant in user.role_grants.all()
            if grant.organisation_code == self.organisation_code
        )
        return f"{user.get_full_name() or user.get_username()} ({', '.join(roles)})"


class ActionForm(forms.Form):
    description = forms.CharField(
        label="What must be done",
        max_length=2000,
        widget=_textarea(3),
        help_text=SHARED_TEXT_WARNING.format(who="the action's owner"),
    )
    owner = OwnerField(
        label="Owner",
        queryset=User.objects.none(),
        help_text="Someone holding a role at this organisation in Candour.",
        error_messages=errors("Select who owns the action"),
    )
    due_on = forms.DateField(label="Due by", widget=_date_input())

    def __init__(self, *args, organisation_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.organisation_code = organisation_code
        owner.queryset = policy.people_at(organisation_code).prefetch_related("role_grants")


class ActionDoneForm(forms.Form):
    evidence = forms.CharField(
        label="What was done (evidence)",
        max_length=2000,
        widget=_textarea(3),
        help_text="The guardian reads this; it is not encrypted.",
    )


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(
        label="Refer to",
        # A conduct concern is its own step (ConductReferralForm): it needs consent and a summary.
        choices=[c for c in ReferralKind.choices if c[0] != ReferralKind.CONDUCT],
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label="Their reference (optional)",
        required=False,
        max_length=60,
        help_text="For example an incident or case number. Not encrypted.",
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect)
    evidence = forms.CharField(
        label="Evidence the case is closed on",
        max_length=MESSAGE_MAX,
        widget=_textarea(4),
        help_text="What shows the concern was dealt with (encrypted).",
    )


class GuardianCheckInForm(CheckInForm):
    answer = forms.ChoiceField(
        label="What did the person say about detriment?",
        choices=Detriment.choices,
        widget=forms.RadioSelect,
    )


class GuardianSpeakUpAgainForm(SpeakUpAgainForm):
    answer = forms.ChoiceField(
        label="Their answer to: given your experience, would you speak up again?",
        choices=SpeakUpAgain.choices,
        widget=forms.RadioSelect,
    )


class EscalateForm(ReferralForm):
    pass


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=_textarea(2),
        error_messages=errors("Enter the reason"),
        help_text="For example the claim or inquiry it is kept for. "
        + SHARED_TEXT_WARNING.format(who="administrators"),
    )


class DisclosureForm(forms.Form):
    reason = forms.CharField(
        label="Why you need to know who raised this concern",
        max_length=2000,
        widget=_textarea(3),
        help_text=SHARED_TEXT_WARNING.format(who="the second approver and the person who spoke up"),
    )


class ShareForm(forms.Form):
    guardian = forms.ModelChoiceField(label="Guardian", queryset=User.objects.none())

    def __init__(self, *args, organisation_code: str, exclude, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = (
            User.objects.filter(
                is_active=True,
                guardian_keys__isnull=False,
                guardian_assignments__organisation_id=organisation_code,
            )
            .exclude(pk=exclude.pk)
            .order_by("username")
        )


class HandoverForm(forms.Form):
    organisation = forms.ChoiceField(label="Cases at")
    guardian = forms.ModelChoiceField(
        label="Hand over to",
        queryset=User.objects.none(),
        help_text="An enrolled guardian assigned to the same organisation.",
    )
    remove_own_access = forms.BooleanField(
        label="Remove my own access afterwards (I am leaving this role)", required=False
    )

    def __init__(self, *args, organisation_codes: list[str], exclude, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(code, code) for code in organisation_codes]
        self.fields["guardian"].queryset = (
            User.objects.filter(
                is_active=True,
                guardian_keys__isnull=False,
                guardian_assignments__organisation_id__in=organisation_codes,
            )
            .exclude(pk=exclude.pk)
            .distinct()
            .order_by("username")
        )


class SummaryForm(forms.Form):
    organisation = forms.ChoiceField(label="Organisation")
    theme = forms.ChoiceField(label="Theme", choices=CATEGORY_CHOICES)
    you_said = forms.CharField(
        label="You said",
        max_length=2000,
        widget=_textarea(3),
        help_text="The theme of what staff raised, in general terms. "
        + SHARED_TEXT_WARNING.format(who="everyone"),
    )
    we_did = forms.CharField(label="We did", max_length=2000, widget=_textarea(3))

    def __init__(self, *args, organisation_codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(code, code) for code in organisation_codes]
