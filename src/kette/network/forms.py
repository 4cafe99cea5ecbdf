"""Forms of the network app: GET filters of the analysis pages, the upload, the
sector set and the one-record-at-a-time editing forms (plain forms whose fields
come from the models; the services validate and save)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kette.core import upload_store
from kette.core.collation import german
from kette.core.models import Municipality
from kette.directory import tabular
from kette.network import selectors
from kette.network.models import (
    Body,
    BodyMembership,
    Cooperation,
    CooperationKind,
    Level,
    Person,
)


def _organization_choices(municipality: Municipality) -> Any:
    """The municipality's organisations for a choice, in German name order (the
    selectors keep the plain order: the network's analyses read thousands)."""
    return selectors.organizations_of(municipality).order_by(german("name"), "pk")


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


KIND_LABELS = [
    ("organizations", _("Organisations with sector")),
    ("people", _("People")),
    ("memberships", _("Memberships in bodies")),
    ("ties", _("Cooperations")),
]


class NetworkImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is being imported?"), choices=KIND_LABELS)
    file = forms.FileField(
        label=_("File (CSV, XLSX, ODS or XLS)"),
        help_text=_("First row: column headers as described below."),
        widget=forms.ClearableFileInput(attrs={"accept": tabular.TABLE_ACCEPT}),
    )
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False, initial=True)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(tabular.TABLE_EXTENSIONS):
            raise forms.ValidationError(_("Please upload a CSV, XLSX, ODS or XLS file."))
        if upload.size > upload_store.max_bytes():  # the same limit as every import
            raise forms.ValidationError(upload_store.size_message(upload.size))
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


class SectorCreateForm(SectorForm):
    """A new sector at the end of the set."""

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if selectors.sectors_of(self.municipality).filter(name=name).exists():
            raise forms.ValidationError(_("A sector of this name already exists."))
        return name

    color = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#37474f",
        error_messages={"invalid": _("Give the colour as #RRGGBB.")},
        widget=forms.TextInput(attrs={"type": "color"}),
    )


def _model_field(model: Any, name: str, **kwargs: Any) -> Any:
    """The form field Django derives from a model field (label, choices, help text)."""
    return model._meta.get_field(name).formfield(**kwargs)


def _date_field(model: Any, name: str) -> Any:
    return _model_field(model, name, widget=forms.DateInput(attrs={"type": "date"}))


class _PeriodMixin:
    """From/until of memberships and ties: the end must not lie before the start."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end is before the start."))  # type: ignore[attr-defined]
        return data


class BodyForm(forms.Form):
    """A body of the steering structure; a parent that would create a cycle is refused
    by the service (the structure stays a tree)."""

    name = _model_field(Body, "name")
    kind = _model_field(Body, "kind")
    parent = _model_field(Body, "parent", required=False)
    mandate = _model_field(Body, "mandate", widget=forms.Textarea(attrs={"rows": 3}))
    meeting_rhythm = _model_field(Body, "meeting_rhythm")
    life_phases = forms.ModelMultipleChoiceField(
        label=_("Life phases"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The life phases the body is responsible for."),
    )
    fields_of_action = forms.ModelMultipleChoiceField(
        label=_("Fields of action"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The fields of action the body is responsible for."),
    )

    def __init__(
        self, *args: Any, municipality: Municipality, body: Body | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.municipality, self.body = municipality, body
        parents = selectors.bodies_of(municipality)
        if body is not None:
            parents = parents.exclude(pk=body.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parent"].empty_label = _("none (top of the structure)")  # type: ignore[attr-defined]
        self.fields["life_phases"].queryset = selectors.life_phases_of(municipality)  # type: ignore[attr-defined]
        self.fields["fields_of_action"].queryset = selectors.fields_of_action_of(municipality)  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = selectors.bodies_of(self.municipality).filter(name=name)
        if self.body is not None:
            others = others.exclude(pk=self.body.pk)
        if others.exists():
            raise forms.ValidationError(_("A body of this name already exists."))
        return name


class PersonForm(forms.Form):
    name = _model_field(Person, "name")
    function = _model_field(Person, "function")
    organization = _model_field(Person, "organization", required=False)
    level = _model_field(Person, "level")
    email = _model_field(Person, "email")
    phone = _model_field(Person, "phone")
    legal_basis = _model_field(Person, "legal_basis")
    legal_basis_note = _model_field(Person, "legal_basis_note")

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organization_choices(municipality)  # type: ignore[attr-defined]
        self.fields["organization"].empty_label = _("no organisation")  # type: ignore[attr-defined]


class MembershipForm(_PeriodMixin, forms.Form):
    """A person or an organisation in a body (exactly one of the two)."""

    person = _model_field(BodyMembership, "person", required=False)
    organization = _model_field(BodyMembership, "organization", required=False)
    role = _model_field(BodyMembership, "role")
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("as recorded for the person")), *Level.choices],
        help_text=_("For an organisation's seat give the level of whoever attends."),
    )
    valid_from = _date_field(BodyMembership, "valid_from")
    valid_until = _date_field(BodyMembership, "valid_until")

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.people_of(municipality)  # type: ignore[attr-defined]
        self.fields["organization"].queryset = _organization_choices(municipality)  # type: ignore[attr-defined]
        self.fields["person"].empty_label = _("no person")  # type: ignore[attr-defined]
        self.fields["organization"].empty_label = _("no organisation")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("person")) == bool(data.get("organization")):
            raise forms.ValidationError(
                _("Choose either a person or an organisation as the member, not both.")
            )
        if data.get("organization") and not data.get("level"):
            self.add_error("level", _("Please give the level for an organisation's seat."))
        return data


STRENGTH_CHOICES = [(1, _("1 – weak")), (2, _("2 – medium")), (3, _("3 – strong"))]


class CooperationForm(_PeriodMixin, forms.Form):
    organization_a = _model_field(Cooperation, "organization_a")
    organization_b = _model_field(Cooperation, "organization_b")
    kind = _model_field(Cooperation, "kind")
    strength = forms.TypedChoiceField(
        label=_("Strength"), choices=STRENGTH_CHOICES, coerce=int, initial=2
    )
    valid_from = _date_field(Cooperation, "valid_from")
    valid_until = _date_field(Cooperation, "valid_until")
    note = _model_field(Cooperation, "note", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for side in ("organization_a", "organization_b"):
            self.fields[side].queryset = _organization_choices(municipality)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        a, b = data.get("organization_a"), data.get("organization_b")
        if a is not None and a == b:
            self.add_error(
                "organization_b", _("A cooperation connects two different organisations.")
            )
        return data
