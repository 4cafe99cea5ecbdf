"""Resolving the municipality (tenant) from the URL, once per request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

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
