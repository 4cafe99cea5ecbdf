"""Tenancy: resolving the municipality from the URL, once per request, and the
checks services make that a write stays within one municipality."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from kette.core.selectors import municipality_by_slug


class MunicipalityMixin:
    """For views under /k/<municipality_slug>/: sets self.municipality and checks
    `permission_required` (a django-rules permission) against it.

    Anonymous visitors of a protected view go to the login page; logged-in users
    without the permission get 403. Views that leave `permission_required` empty
    are public and must show only public data.
    """

    permission_required: str | None = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.municipality = municipality_by_slug(kwargs["municipality_slug"])
        if self.permission_required:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(self.permission_required, self.municipality):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["municipality"] = self.municipality
        return context


def check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    """Services take model fields as keyword arguments: refuse unknown names (a
    programming error, not bad input)."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def check_same_municipality(municipality: Any, *objects: Any) -> None:
    """Links between tenant rows must stay within one municipality: every object
    (None skipped) belongs to `municipality` or to none (programme-wide rows such
    as the programme's own vocabulary)."""
    for obj in objects:
        if obj is None:
            continue
        owner = getattr(obj, "municipality_id", None)
        if owner is not None and owner != municipality.pk:
            raise ValidationError(_("The data belong to another municipality."))
