from django import forms

from candour.web.oversight.models import ConcernEvidence, Measure, Organisation, Target


class TargetForm(forms.ModelForm):
    """Register or edit a target. Whether it may be published is not decided here but by the
    model's publication rule, which every path shares."""

    id = forms.SlugField(
        label="Identifier", help_text="Lower case letters, numbers and underscores, e.g. ae_4hr_95."
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = (
            Organisation.objects.exclude(org_type="").values_list("org_type", flat=True).distinct()
        )
        self.fields["organisation_types"].choices = [(t, t) for t in sorted(types)]
        self.fields["measure"].queryset = Measure.objects.order_by("domain", "name")
        if self.instance.pk:
            self.fields["id"].disabled = True
            self.fields["id"].initial = self.instance.pk
        # The form checks fields; publishing is checked by the action once the balancing measures
        # are attached, so the form validates the instance as a draft.
        self.instance.status = Target.Status.DRAFT


class ConcernForm(forms.Form):
    title = forms.CharField(max_length=200)
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="What was seen, and where."
    )
    owner = forms.ModelChoiceField(
        queryset=None, help_text="Who is responsible for following it up."
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ConcernEvidence.Kind.choices, widget=forms.RadioSelect, label="Kind of evidence"
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="What it found.")
    reference = forms.CharField(
        required=False, max_length=200, help_text="A document or report reference."
    )
