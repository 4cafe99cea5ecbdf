from typing import Any, ClassVar

from django import forms
from django.core.validators import URLValidator
from django.db import models
from django.utils.deconstruct import deconstructible

REMEMBERED_URLS = 100_000


@deconstructible
class RememberingURLValidator(URLValidator):
    """Django's `URLValidator` that remembers the addresses it accepted (shared by
    all instances; they all use Django's pattern). A bulk import checks each web
    address twice, reading the row and checking the offer's fields, and the
    pattern costs about 50 µs per address. A remembered address is checked
    again only for what differs between instances: its length and its
    scheme."""

    _accepted: ClassVar[dict[str, None]] = {}

    def __call__(self, value: Any) -> None:
        if (
            type(value) is str
            and value in self._accepted
            and len(value) <= self.max_length
            and value.split("://")[0].lower() in self.schemes
        ):
            return
        super().__call__(value)
        if len(self._accepted) >= REMEMBERED_URLS:
            self._accepted.clear()
        self._accepted[value] = None


class WebsiteField(models.URLField):
    """A URL field whose form assumes https:// when the scheme is left out."""

    default_validators = [RememberingURLValidator()]

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", forms.URLField)
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
