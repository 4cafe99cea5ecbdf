"""Forms of the network app (GET filters of the analysis pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kette.core.models import Municipality
from kette.network import selectors
from kette.network.models import CooperationKind


class AsOfForm(forms.Form):
    stichtag = forms.DateField(
        label=_("Reference date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Memberships and cooperations as of this day"),
    )

    def day(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("stichtag"):
            return self.cleaned_data["stichtag"]
        return timezone.localdate()


class NetworkFilterForm(AsOfForm):
    vergleich = forms.DateField(
        label=_("Compare with reference date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("optional: shows how the measures changed since this day"),
    )
    art = forms.MultipleChoiceField(
        label=_("Kind of cooperation"),
        required=False,
        choices=CooperationKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sektor = forms.ModelMultipleChoiceField(
        label=_("Sector"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    gremium = forms.ModelChoiceField(
        label=_("Body"),
        required=False,
        queryset=None,
        empty_label=_("all organisations"),
    )

    def compare_day(self) -> dt.date | None:
        if self.is_valid():
            return self.cleaned_data.get("vergleich")
        return None

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sektor"].queryset = selectors.sectors_of(municipality)  # type: ignore[attr-defined]
        self.fields["gremium"].queryset = selectors.bodies_of(municipality)  # type: ignore[attr-defined]


MAX_UPLOAD_BYTES = 10 * 1024 * 1024

KIND_LABELS = [
    ("organizations", _("Organisations with sector")),
    ("people", _("People")),
    ("memberships", _("Memberships in bodies")),
    ("ties", _("Cooperations")),
]


class NetworkImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is being imported?"), choices=KIND_LABELS)
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("First row: column headers as described below."),
    )
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False, initial=True)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Please upload a CSV or XLSX file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


def contrast_with_white(color: str) -> float:
    """WCAG contrast ratio of white text on `color` (#RRGGBB)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


class SectorForm(forms.Form):
    """One sector of the municipality's set; white labels must stay readable on the colour."""

    name = forms.CharField(label=_("Name"), max_length=200)
    is_core = forms.BooleanField(label=_("Core sector"), required=False)
    color = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        error_messages={"invalid": _("Give the colour as #RRGGBB.")},
        widget=forms.TextInput(attrs={"type": "color"}),
    )

    def clean_color(self) -> str:
        color = self.cleaned_data["color"]
        if contrast_with_white(color) < 4.5:
            raise forms.ValidationError(
                _("The colour is too light: white text on it would be hard to read.")
            )
        return color


SectorFormSet = forms.formset_factory(SectorForm, extra=0)
