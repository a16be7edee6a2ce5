"""Registering a data request. Error messages follow the NHS.UK pattern: each says what to do,
beside its field and, as a link to it, in the error summary."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from candour.analytics.datarequests.model import FREQUENCIES, ITEM_PERIODS, ITEM_UNITS
from candour.importers.datarequests import MANDATES
from candour.importers.datasets import CQC_KEY_QUESTIONS, REGIONS
from candour.web.datarequests import policy
from candour.web.datarequests.models import (
    FREQUENCY_LABELS,
    MANDATE_LABELS,
    PERIOD_LABELS,
    UNIT_LABELS,
    DataRequest,
    _choices,
)
from candour.web.datarequests.registry import rating_label
from candour.web.oversight.models import Measure, Organisation

ODS_CODES = re.compile(r"[A-Za-z0-9]{3,6}")
ITEM_SLOTS = 5  # item rows on the form beyond the first; blank ones are ignored
NOT_HELD = ""


def required(message: str, **others: str) -> dict[str, str]:
    return {"required": message, **others}


def held_choices() -> list[tuple[str, str]]:
    """What an item can map to: nothing (a new item), a Candour measure, a CQC rating."""
    measures = [
        (f"measure:{m.pk}", f"{m.name} ({m.get_unit_display().lower()})")
        for m in Measure.objects.order_by("domain", "name")
    ]
    ratings = [(f"cqc_rating:{q}", rating_label(q)) for q in CQC_KEY_QUESTIONS]
    return [(NOT_HELD, "None: a new item"), *measures, *ratings]


class RequestForm(forms.Form):
    requester = forms.ChoiceField(
        label="Requesting body", error_messages=required("Select the requesting body")
    )
    title = forms.CharField(
        max_length=DataRequest._meta.get_field("title").max_length,
        error_messages=required("Enter a title"),
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Description (optional)"
    )
    mandate = forms.ChoiceField(
        choices=_choices(MANDATES, MANDATE_LABELS),
        widget=forms.RadioSelect,
        error_messages=required("Select the mandate"),
    )
    standard_number = forms.CharField(
        required=False,
        max_length=DataRequest._meta.get_field("standard_number").max_length,
        label="Standard number (optional)",
        help_text="The information standard, for an approved national collection (e.g. DCB0095). "
        "Leave blank if it has none or you do not know it.",
    )
    frequency = forms.ChoiceField(
        choices=[("", "Select how often"), *_choices(FREQUENCIES, FREQUENCY_LABELS)],
        error_messages=required("Select how often it asks"),
    )
    due = forms.CharField(
        required=False,
        max_length=DataRequest._meta.get_field("due").max_length,
        label="When returns are due (optional)",
        help_text="For example: by the 10th working day after the month ends.",
    )
    periods_from = forms.DateField(
        required=False,
        label="First period asked about (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date"},
    )
    periods_to = forms.DateField(
        required=False,
        label="Last period asked about (optional)",
        help_text="Leave blank for an ongoing request.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date"},
    )
    organisation_codes = forms.CharField(
        required=False,
        label="Organisations asked: ODS codes",
        help_text="One or more ODS codes, separated by spaces, commas or new lines (e.g. R0B RTD).",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    region = forms.ChoiceField(
        required=False,
        label="Or every open organisation in a region",
        choices=[("", "No region"), *sorted(REGIONS.items(), key=lambda kv: kv[1])],
    )
    hours_per_return = forms.DecimalField(
        required=False,
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
        label="Estimated preparation time per return, in hours (optional)",
        error_messages={
            "invalid": "Enter the hours as a number, like 6",
            "min_value": "Enter 0 hours or more",
        },
    )
    estimate_source = forms.CharField(
        required=False,
        max_length=DataRequest._meta.get_field("estimate_source").max_length,
        label="Where the estimate comes from",
        help_text="Needed with an estimate: for example, your own estimate or a burden assessment.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.bodies = {r.pk: r for r in policy.bodies_of(user)}
        self.fields["requester"].choices = [(pk, r.name) for pk, r in self.bodies.items()]

    def clean(self):
        data = super().clean()
        first, last = data.get("periods_from"), data.get("periods_to")
        if first and last and last < first:
            self.add_error("periods_to", "Enter a last period on or after the first")
        if data.get("hours_per_return") is not None and not data.get("estimate_source"):
            self.add_error("estimate_source", "Say where the estimate comes from")
        data["organisations"] = self._organisations(data)
        return data

    def _organisations(self, data) -> list[Organisation]:
        codes = {c.upper() for c in ODS_CODES.findall(data.get("organisation_codes") or "")}
        found = {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=codes)}
        unknown = sorted(codes - set(found))
        if unknown:
            self.add_error(
                "organisation_codes", f"Enter ODS codes Candour knows: not {', '.join(unknown)}"
            )
        chosen = list(found.values())
        if data.get("region"):
            chosen += Organisation.objects.filter(
                region_code=data["region"], close_date__isnull=True, successor__isnull=True
            ).exclude(ods_code__in=list(found))
        if not chosen and not unknown:
            self.add_error(
                "organisation_codes", "Enter the ODS codes of the organisations asked, or a region"
            )
        outside = sorted(o.ods_code for o in chosen if not policy.may_ask(self.user, o))
        if outside:
            self.add_error(
                "organisation_codes",
                "Your role is not granted for "
                + ", ".join(outside[:10])
                + (" and others" if len(outside) > 10 else "")
                + ": ask only organisations you are granted for",
            )
        return sorted(chosen, key=lambda o: o.ods_code)

    def request_fields(self) -> dict:
        data = self.cleaned_data
        hours = data.get("hours_per_return")
        return {
            "title": data["title"],
            "description": data["description"],
            "mandate": data["mandate"],
            "standard_number": data["standard_number"].strip(),
            "frequency": data["frequency"],
            "due": data["due"],
            "periods_from": data.get("periods_from"),
            "periods_to": data.get("periods_to"),
            "hours_per_return": None if hours is None else float(hours),
            "estimate_source": data["estimate_source"] if hours is not None else "",
        }


class ItemForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Item name", error_messages=required("Enter the item's name")
    )
    definition = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Definition",
        help_text="What it counts, and of what (numerator and denominator).",
    )
    # A blank first choice, so that a row left untouched sends nothing and is ignored.
    unit = forms.ChoiceField(
        choices=[("", "Select a unit"), *_choices(ITEM_UNITS, UNIT_LABELS)],
        error_messages=required("Select a unit"),
    )
    period_type = forms.ChoiceField(
        choices=[("", "Select a period"), *_choices(ITEM_PERIODS, PERIOD_LABELS)],
        label="Period",
        error_messages=required("Select the period"),
    )
    held = forms.ChoiceField(
        required=False,
        label="Candour data it matches (optional)",
        help_text="Only if it has the same numerator, denominator and period. Leave as a new "
        "item if unsure: Candour suggests matches after you register.",
    )

    def __init__(self, *args, held: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held"].choices = held

    def item_fields(self) -> dict:
        data = self.cleaned_data
        kind, _, name = (data.get("held") or "").partition(":")
        return {
            "name": data["name"],
            "definition": data["definition"],
            "unit": data["unit"],
            "period_type": data["period_type"],
            "measure_id": name if kind == "measure" else None,
            "cqc_key_question": name if kind == "cqc_rating" else "",
        }


class BaseItemFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_few_forms": "Enter at least one item",
        "too_many_forms": f"Enter at most {ITEM_SLOTS + 1} items",
    }

    def __init__(self, *args, **kwargs):
        self.held = held_choices()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "held": self.held}


ItemFormSet = forms.formset_factory(
    ItemForm,
    formset=BaseItemFormSet,
    extra=ITEM_SLOTS,
    min_num=1,
    validate_min=True,
    max_num=ITEM_SLOTS + 1,
    validate_max=True,
)


class MapItemForm(forms.Form):
    held = forms.CharField(required=False, max_length=80)
