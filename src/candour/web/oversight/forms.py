"""The oversight forms. Error messages follow the NHS.UK error-message pattern: each says what to
do ("Enter a title", "Select a measure"), and the same words appear beside the field and, as a
link to it, in the error summary (templates/includes/form_errors.html)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from candour.web.oversight.models import (
    PROPORTION_UNIT,
    ConcernEvidence,
    Measure,
    Organisation,
    Target,
)

PERCENT = Decimal(100)
UNIT_NAMES = {PROPORTION_UNIT: "percentage"}  # how a unit is typed; others by their own name
THRESHOLD_RANGE_MESSAGE = "Enter a threshold between 0% and 100%"
# What to do about each problem Target.publication_problems_by_field finds.
PUBLISH_MESSAGES = {
    "balancing_measures": (
        "Select a balancing measure from the patient-safety domain: patient safety and "
        "wellbeing must remain the priority"
    ),
    "resources_and_support": "Describe the resources and support provided to meet the target",
    "consequence_policy": (
        "Select a consequence policy that restricts adverse career consequences to misconduct "
        "or serious incompetence"
    ),
}


def required(message: str, **others: str) -> dict[str, str]:
    """Error messages for a field: ``message`` when it is left empty, ``others`` by code."""
    return {"required": message, **others}


class MeasureChoiceField(forms.ModelChoiceField):
    """A measure, labelled with the unit its threshold is typed in."""

    def label_from_instance(self, measure: Measure) -> str:
        return f"{measure.name} ({UNIT_NAMES.get(measure.unit, measure.unit)})"


class TargetForm(forms.ModelForm):
    """Register or edit a target. Whether it may be published is decided by the model's
    publication rule, which every path shares; the form shows each problem against its field.

    The threshold is typed in the measure's unit, except that a proportion is typed as a
    percentage (95 for 95%) and stored as a fraction (0.95), converted here and nowhere else."""

    id = forms.SlugField(
        label="Identifier",
        help_text="Lower case letters, numbers and underscores, e.g. ae_4hr_95.",
        error_messages=required(
            "Enter an identifier",
            invalid="Enter an identifier using only lower case letters, numbers and underscores",
        ),
    )
    measure = MeasureChoiceField(
        queryset=Measure.objects.order_by("domain", "name"),
        error_messages=required("Select a measure"),
    )
    threshold = forms.DecimalField(
        label="Threshold",
        help_text=(
            "For a percentage measure, a percentage: 95 for 95%. For any other measure, a value "
            "in its unit (shown after its name), for example 1.05 for a ratio."
        ),
        error_messages=required(
            "Enter a threshold", invalid="Enter the threshold as a number, like 95"
        ),
    )
    organisation_types = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Types of organisation",
        help_text="Leave all unticked for every type.",
    )
    balancing_measures = forms.ModelMultipleChoiceField(
        queryset=Measure.objects.order_by("domain", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one from the patient-safety domain is needed to publish.",
    )
    consequence_policy = forms.ChoiceField(
        choices=[c for c in Target.ConsequencePolicy.choices if c[0]],
        required=False,
        widget=forms.RadioSelect,
        label="Consequence policy",
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "name",
            "measure",
            "comparison",
            "threshold",
            "set_by",
            "effective_from",
            "effective_to",
            "organisation_types",
            "balancing_measures",
            "resources_and_support",
            "consequence_policy",
            "consequence_notes",
            "rationale",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_to": forms.DateInput(attrs={"type": "date"}),
            "resources_and_support": forms.Textarea(attrs={"rows": 4}),
            "consequence_notes": forms.Textarea(attrs={"rows": 3}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"set_by": "Set by (body)"}
        error_messages = {
            "name": required("Enter a name"),
            "comparison": required("Select at least or at most"),
            "set_by": required("Enter the body that set the target"),
            "effective_from": required(
                "Enter the date the target takes effect", invalid="Enter a real date"
            ),
            "effective_to": {"invalid": "Enter a real date"},
        }

    def __init__(self, *args, publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.publish = publish
        types = (
            Organisation.objects.exclude(org_type="")
            .order_by("org_type")  # not Meta.ordering's name, which would defeat distinct()
            .values_list("org_type", flat=True)
            .distinct()
        )
        self.fields["organisation_types"].choices = [(t, t) for t in types]
        if self.instance.pk:
            self.fields["id"].disabled = True
            self.fields["id"].initial = self.instance.pk
            self.initial["threshold"] = threshold_as_typed(self.instance)
        # The form validates the instance as a draft; publishing is checked in clean() against
        # the balancing measures chosen, and again by the action once they are attached.
        self.instance.status = Target.Status.DRAFT

    def clean(self):
        data = super().clean()
        measure, threshold = data.get("measure"), data.get("threshold")
        if measure is not None and threshold is not None:
            converted = self.threshold_in_unit(measure, threshold)
            if converted is not None:
                data["threshold"] = converted
        if self.publish:
            self.add_publication_errors()
        return data

    def threshold_in_unit(self, measure: Measure, typed: Decimal) -> float | None:
        if measure.unit == PROPORTION_UNIT:
            if not Decimal(0) <= typed <= PERCENT:
                self.add_error("threshold", THRESHOLD_RANGE_MESSAGE)
                return None
            return float(typed / PERCENT)
        return float(typed)

    def add_publication_errors(self) -> None:
        draft = Target(
            measure=self.cleaned_data.get("measure"),
            resources_and_support=self.cleaned_data.get("resources_and_support", ""),
            consequence_policy=self.cleaned_data.get("consequence_policy", ""),
        )
        chosen = list(self.cleaned_data.get("balancing_measures") or [])
        for field in draft.publication_problems_by_field(balancing_measures=chosen):
            if field not in self.errors:
                self.add_error(field, PUBLISH_MESSAGES[field])


def threshold_as_typed(target: Target) -> str:
    """A stored threshold as the form shows it: a proportion as a percentage (0.95 as 95)."""
    value = Decimal(repr(target.threshold))
    if target.measure.unit == PROPORTION_UNIT:
        value *= PERCENT
    return format(value.normalize(), "f")


class ConcernForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages=required("Enter a title"))
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was seen, and where.",
        error_messages=required("Enter an explanation"),
    )
    owner = forms.ModelChoiceField(
        queryset=None,
        help_text="Who is responsible for following it up.",
        error_messages=required("Select an owner"),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ConcernEvidence.Kind.choices,
        widget=forms.RadioSelect,
        label="Kind of evidence",
        error_messages=required("Select the kind of evidence"),
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What it found.",
        error_messages=required("Describe the evidence"),
    )
    reference = forms.CharField(
        required=False, max_length=200, help_text="A document or report reference."
    )
