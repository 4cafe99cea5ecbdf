from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from kette.core.forms import UnixNewlinesMixin
from kette.core.models import Municipality, User
from kette.directory import languages, selectors
from kette.directory.models import Organization, Service, Taxonomy, TaxonomyTerm, Weekday
from kette.directory.services import years_to_months
from kette.directory.tabular import LATITUDE_RANGE, LONGITUDE_RANGE


def _years(months: int | None) -> str:
    if months is None:
        return ""
    years = (Decimal(months) / 12).quantize(Decimal("0.01")).normalize()
    return f"{years:f}".replace(".", ",")


class ServiceForm(UnixNewlinesMixin, forms.ModelForm):
    """An offer's own fields; ages are entered in years ("1,5" = 18 months)."""

    min_age_years = forms.CharField(
        label=_("from age (years)"),
        required=False,
        max_length=8,
        help_text=_("Decimals are allowed, e.g. 1.5; negative values for the pregnancy."),
    )
    max_age_years = forms.CharField(
        label=_("up to under age (years)"),
        required=False,
        max_length=8,
        help_text=_("Leave empty when there is no upper limit."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_("ISO 639 language codes separated by commas, e.g. de, tr, ar"),
    )

    class Meta:
        model = Service
        fields = [
            "organization",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "eligibility_description",
            "application_process",
            "is_free",
            "fees_description",
            "terms",
            "transitions",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "eligibility_description": forms.Textarea(attrs={"rows": 3}),
            "application_process": forms.Textarea(attrs={"rows": 3}),
            "fees_description": forms.Textarea(attrs={"rows": 2}),
            "terms": forms.CheckboxSelectMultiple,
            "transitions": forms.CheckboxSelectMultiple,
        }

    # Longest texts the form takes (characters): a page of text each; a 240,000
    # character description had been saved and shown in full.
    TEXT_LIMITS = {
        "description": 5000,
        "eligibility_description": 2000,
        "application_process": 2000,
        "fees_description": 1000,
    }

    def __init__(self, *args: Any, municipality: Municipality, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, limit in self.TEXT_LIMITS.items():
            field = self.fields[name]
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs["maxlength"] = str(limit)
        self.fields["organization"].queryset = selectors.organizations_editable_by(
            user, municipality
        )
        self.fields["terms"].queryset = selectors.fields_of_action(municipality)
        self.fields["terms"].label = _("Fields of action")
        self.fields["transitions"].queryset = selectors.transitions_of(municipality)
        for name in ("terms", "transitions"):  # defaults in the interface's language
            self.fields[name].label_from_instance = lambda entry: entry.display_name
        if self.instance.pk and user.has_perm("directory.confirm_offer", self.instance):
            # Saving an edit can also count as "details are current" (freshness),
            # so a provider who just went through the offer gets no reminder.
            self.fields["confirm_current"] = forms.BooleanField(
                label=_("I have checked all details: the offer is current"),
                required=False,
                help_text=_(
                    "Counts as “Details are current”: no reminder until the offer is due "
                    "for checking again."
                ),
            )
        if self.instance.pk:
            # Initial values given by the caller (a pending proposal) take precedence.
            self.initial.setdefault("min_age_years", _years(self.instance.min_age_months))
            self.initial.setdefault("max_age_years", _years(self.instance.max_age_months))
            self.initial.setdefault(
                "languages", ", ".join(self.instance.languages.values_list("code", flat=True))
            )

    def _clean_age(self, name: str) -> int | None:
        months = years_to_months(self.cleaned_data.get(name))
        if months is not None and not -9 <= months <= 99 * 12:
            raise ValidationError(_("Please give an age between -0.75 and 99 years."))
        return months

    def clean_min_age_years(self) -> int | None:
        return self._clean_age("min_age_years")

    def clean_max_age_years(self) -> int | None:
        return self._clean_age("max_age_years")

    def clean_languages(self) -> list[str]:
        # commas as the help text says; semicolons and spaces separate too
        codes = [c.lower() for c in re.split(r"[,;\s]+", self.cleaned_data["languages"]) if c]
        wrong = [c for c in codes if not languages.known(c)]
        if wrong:
            raise ValidationError(
                _(
                    "Not an ISO 639 language code: %(codes)s. Please give codes such as "
                    "de, tr, ar, separated by commas."
                )
                % {"codes": ", ".join(wrong)}
            )
        return list(dict.fromkeys(codes))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_age_years"), data.get("max_age_years")
        if low is not None and high is not None and high <= low:
            self.add_error("max_age_years", _("The upper limit must be above the minimum age."))
        return data

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of service_create/service_update."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields["min_age_months"] = data["min_age_years"]
        fields["max_age_months"] = data["max_age_years"]
        fields["languages"] = data["languages"]
        return fields

    def _post_clean(self) -> None:
        # Validation happens in the service (full_clean there); the ModelForm's own
        # instance construction would set m2m-less fields twice.
        pass


def proposal_initial(changes: dict[str, Any]) -> dict[str, Any]:
    """Initial values of a ServiceForm from a pending proposal's stored values
    (see kette.directory.review), so that a provider goes on editing it."""
    initial: dict[str, Any] = {}
    for key, value in changes.items():
        if key in ("min_age_months", "max_age_months"):
            initial[key.replace("_months", "_years")] = _years(value)
        elif key == "languages":
            initial["languages"] = ", ".join(value)
        elif key != "status":
            initial[key] = value
    return initial


class OfferLocationForm(UnixNewlinesMixin, forms.Form):
    """A new place where an offer takes place (address, optional coordinates for
    the map and the district, accessibility features)."""

    name = forms.CharField(label=_("Name of the place"), max_length=300, required=False)
    address_1 = forms.CharField(label=_("Street and number"), max_length=300)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("Town"), max_length=100)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False, localize=True
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False, localize=True
    )
    accessibility = forms.ModelMultipleChoiceField(
        label=_("Accessibility"),
        queryset=TaxonomyTerm.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accessibility"].queryset = selectors.accessibility_features(municipality)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            raise forms.ValidationError(_("Please give both coordinates or neither."))
        if latitude is not None and not (
            LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
            and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]
        ):
            raise forms.ValidationError(_("The coordinates lie outside Germany."))
        return data


class OpeningHoursForm(forms.Form):
    """Weekly opening hours of an offer."""

    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    opens_at = forms.TimeField(label=_("from"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label=_("until"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, existing: Sequence[Any] = (), **kwargs: Any) -> None:
        # the offer's weekly hours so far: new hours must not repeat or overlap them
        self.existing = existing
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The end must be after the start."))
        elif opens and closes and data.get("weekday"):
            clash = next(
                (
                    hours
                    for hours in self.existing
                    if hours.weekday == data["weekday"]
                    and hours.opens_at
                    and hours.closes_at
                    and hours.opens_at < closes
                    and opens < hours.closes_at
                ),
                None,
            )
            if clash is not None:
                self.add_error(
                    None,
                    _("The offer already has the opening hours %(hours)s, which overlap these.")
                    % {"hours": clash},
                )
        return data


# Digits with the usual separators: "+49 221 123456", "0221/12 34-5", "(0221) 123".
PHONE_NUMBER = re.compile(r"\+?[\d\s/().-]+")


class PhoneForm(forms.Form):
    number = forms.CharField(label=_("Phone number"), max_length=50)

    def clean_number(self) -> str:
        number = " ".join(self.cleaned_data["number"].split())
        if not PHONE_NUMBER.fullmatch(number) or sum(c.isdigit() for c in number) < 3:
            raise ValidationError(
                _(
                    "Please give a phone number of digits (spaces, +, /, - and brackets "
                    "are allowed too), e.g. 0221 123456."
                )
            )
        return number


class OrganizationForm(UnixNewlinesMixin, forms.ModelForm):
    """A provider organisation's (Träger's) own fields."""

    class Meta:
        model = Organization
        fields = ["name", "alternate_name", "description", "email", "website", "legal_status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def _post_clean(self) -> None:
        # Validation happens in the service (full_clean there).
        pass


class ProviderAccessForm(forms.Form):
    """Let a provider account manage the organisation's offers."""

    user = forms.ModelChoiceField(label=_("Provider account"), queryset=User.objects.none())

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.provider_accounts_without_access(organization)
        self.fields["user"].label_from_instance = _account_label


def _account_label(user: User) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


class TermForm(forms.Form):
    """A municipality's own term of a vocabulary (name and description)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NewTermForm(TermForm):
    taxonomy = forms.ModelChoiceField(
        label=_("Vocabulary"),
        queryset=Taxonomy.objects.filter(
            slug__in=[Taxonomy.FIELDS_OF_ACTION, Taxonomy.ACCESSIBILITY]
        ).order_by("-slug"),
        empty_label=None,
    )
    field_order = ["taxonomy", "name", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the default vocabularies in the interface's language
        self.fields["taxonomy"].label_from_instance = lambda taxonomy: taxonomy.display_name


class DirectorySettingsForm(forms.Form):
    stale_after_months = forms.IntegerField(
        label=_("Offers are due for a check after (months)"),
        min_value=1,
        max_value=60,
        help_text=_("Offers not confirmed for longer are flagged and their providers reminded."),
    )
    review_provider_changes = forms.BooleanField(
        label=_("Review providers' changes"),
        required=False,
        help_text=_(
            "Changes that providers make to published offers, and their requests to "
            "publish, wait until a coordinator or editor approves them."
        ),
    )


class RejectChangeForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the provider"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
