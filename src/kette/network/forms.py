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
        label=_("Stichtag"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Stand der Mitgliedschaften und Kooperationen an diesem Tag"),
    )

    def day(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("stichtag"):
            return self.cleaned_data["stichtag"]
        return timezone.localdate()


class NetworkFilterForm(AsOfForm):
    vergleich = forms.DateField(
        label=_("Vergleich mit Stichtag"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("optional: zeigt die Veränderung der Kennzahlen seit diesem Tag"),
    )
    art = forms.MultipleChoiceField(
        label=_("Art der Kooperation"),
        required=False,
        choices=CooperationKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sektor = forms.ModelMultipleChoiceField(
        label=_("Sektor"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    gremium = forms.ModelChoiceField(
        label=_("Gremium"),
        required=False,
        queryset=None,
        empty_label=_("alle Organisationen"),
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
    ("organizations", _("Organisationen mit Sektor")),
    ("people", _("Personen")),
    ("memberships", _("Mitgliedschaften in Gremien")),
    ("ties", _("Kooperationen")),
]


class NetworkImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Was wird eingelesen?"), choices=KIND_LABELS)
    file = forms.FileField(
        label=_("Datei (CSV oder XLSX)"),
        help_text=_("Erste Zeile: Spaltenüberschriften wie unten beschrieben."),
    )
    dry_run = forms.BooleanField(
        label=_("Nur prüfen, nichts speichern"), required=False, initial=True
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Bitte eine CSV- oder XLSX-Datei hochladen."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Die Datei ist größer als 10 MB."))
        return upload
