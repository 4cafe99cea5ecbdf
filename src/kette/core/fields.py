from typing import Any

from django import forms
from django.db import models


class WebsiteField(models.URLField):
    """A URL field whose form assumes https:// when the scheme is left out."""

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", forms.URLField)
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
