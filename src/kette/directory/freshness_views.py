"""The page behind the "still current" link of a reminder mail: GET shows the
offer and one button, POST confirms. No login: the signed token authorises
exactly this confirmation (see kette.directory.freshness)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.generic import TemplateView

from kette.core.tenancy import MunicipalityMixin
from kette.directory import freshness


class ConfirmCurrentView(MunicipalityMixin, TemplateView):
    template_name = "directory/confirm_current.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        confirmation = freshness.read_token(self.kwargs["reminder_token"], self.municipality)
        context["confirmation"] = confirmation
        if confirmation is not None:
            context["edit_url"] = freshness.edit_url(confirmation.service)
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=200 if context["confirmation"] else 400)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        confirmation = context["confirmation"]
        if confirmation is None:
            return self.render_to_response(context, status=400)
        if not confirmation.already_confirmed:  # a second click confirms nothing more
            freshness.confirm_by_token(confirmation)
            context["confirmed"] = True
        return self.render_to_response(context)
