"""Forms of the reports app: the report's texts and its goals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kette.reports.models import Chapter, Goal
from kette.reports.services import GoalInput


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, widget=forms.NumberInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1


class ReportTextForm(forms.Form):
    """The mission statement and one free text per chapter."""

    leitbild = forms.CharField(
        label=pgettext_lazy("report", "Mission statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in Chapter.choices:
            self.fields[f"text_{key}"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("Your own text, printed after the figures kette computes."),
            )

    def texts(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"text_{key}"] for key in Chapter.values}


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "indicator", "unit", "planned", "achieved", "comment"]
        widgets = {"comment": forms.TextInput()}

    def goal_input(self) -> GoalInput | None:
        """None for an empty extra form."""
        data = self.cleaned_data
        delete = bool(data.get("DELETE"))
        if self.instance.pk is None and (delete or not self.has_changed()):
            return None
        return GoalInput(
            pk=self.instance.pk,
            delete=delete,
            title=data.get("title", ""),
            indicator=data.get("indicator", ""),
            unit=data.get("unit", ""),
            planned=data.get("planned"),
            achieved=data.get("achieved"),
            comment=data.get("comment", ""),
        )


GoalFormSet = forms.modelformset_factory(Goal, form=GoalForm, extra=2, can_delete=True)
