from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kette.core.models import MUNICIPALITY_ROLES, Municipality, Role
from kette.core.text import unix_newlines


class MunicipalityProfileForm(forms.ModelForm):
    class Meta:
        model = Municipality
        fields = ["description", "website"]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"),
        # No preselection: inviting someone with more rights than meant must be a choice.
        choices=[("", "—"), *((r.value, r.label) for r in Role if r in MUNICIPALITY_ROLES)],
    )


class AccessibilityFeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Which barrier did you encounter?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    page_url = forms.CharField(label=_("On which page? (optional)"), required=False, max_length=500)
    email = forms.EmailField(
        label=_("Your e-mail address, if you would like a reply (optional)"),
        required=False,
    )
    # A field people never see (hidden by CSS, skipped by keyboard): bots fill it
    # in, and their message is dropped.
    website = forms.CharField(
        label=_("Please leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class UnixNewlinesMixin:
    """Text from every field with "\\n" line breaks (see `text.unix_newlines`), so
    a text typed in the browser compares equal to the same text from a file."""

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        for name, value in data.items():
            if isinstance(value, str) and "\r" in value:
                data[name] = unix_newlines(value)
        return data
