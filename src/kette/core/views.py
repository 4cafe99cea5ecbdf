"""Thin views of the core app: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from kette.core import datasources, selectors, services
from kette.core.forms import AccessibilityFeedbackForm, MemberInviteForm, MunicipalityProfileForm
from kette.core.tenancy import MunicipalityMixin


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme = selectors.default_programme()
        context["programme"] = programme
        context["municipalities"] = (
            list(selectors.municipalities_of(programme)) if programme else []
        )
        if self.request.user.is_authenticated:
            context["workspaces"] = selectors.workspaces_of(self.request.user)
        return context


def municipalities_geojson(request: HttpRequest) -> JsonResponse:
    programme = selectors.default_programme()
    data = selectors.municipalities_geojson(programme) if programme else {"features": []}
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=3600"
    return response


class MunicipalityView(MunicipalityMixin, TemplateView):
    """The public page of a municipality."""

    template_name = "core/municipality.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["funding_periods"] = selectors.funding_periods_of(self.municipality)
        return context


class WorkspaceView(MunicipalityMixin, TemplateView):
    """The internal start page of a municipality for its people and the coordination office."""

    template_name = "core/workspace.html"
    permission_required = "core.enter_workspace"


class ProfileEditView(MunicipalityMixin, FormView):
    template_name = "core/profile_form.html"
    permission_required = "core.edit_profile"
    form_class = MunicipalityProfileForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.municipality
        return kwargs

    def form_valid(self, form: MunicipalityProfileForm) -> HttpResponse:
        services.municipality_update_profile(
            actor=self.request.user,  # type: ignore[arg-type]
            municipality=self.municipality,
            description=form.cleaned_data["description"],
            website=form.cleaned_data["website"],
        )
        messages.success(self.request, _("The details have been saved."))
        return redirect(self.municipality.get_absolute_url())


class MembersView(MunicipalityMixin, FormView):
    """Who works in the municipality's kette, and inviting someone new."""

    template_name = "core/members.html"
    permission_required = "core.manage_members"
    form_class = MemberInviteForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.members_of(self.municipality)
        return context

    def form_valid(self, form: MemberInviteForm) -> HttpResponse:
        membership = services.membership_invite(
            actor=self.request.user,  # type: ignore[arg-type]
            municipality=self.municipality,
            base_url=settings.KETTE_BASE_URL.rstrip("/"),  # as in every mail
            **form.cleaned_data,
        )
        messages.success(
            self.request,
            _("%(person)s has been added as %(role)s.")
            % {"person": membership.user, "role": membership.get_role_display()},
        )
        return redirect("core:members", municipality_slug=self.municipality.slug)


class MemberRemoveView(MunicipalityMixin, View):
    permission_required = "core.manage_members"

    def post(
        self, request: HttpRequest, municipality_slug: str, membership_pk: int
    ) -> HttpResponse:
        membership = selectors.membership_in(self.municipality, membership_pk)
        if membership.user_id == request.user.pk:
            raise PermissionDenied(_("You cannot remove yourself."))
        services.membership_remove(actor=request.user, membership=membership)  # type: ignore[arg-type]
        messages.success(request, _("%(person)s has been removed.") % {"person": membership.user})
        return redirect("core:members", municipality_slug=municipality_slug)


class ChangeLogView(MunicipalityMixin, TemplateView):
    template_name = "core/change_log.html"
    permission_required = "core.read_history"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["changes"] = selectors.change_log(self.municipality)
        return context


class ObjectHistoryView(MunicipalityMixin, TemplateView):
    template_name = "core/object_history.html"
    permission_required = "core.read_history"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["changes"] = selectors.object_history(
            self.municipality, kwargs["model_key"], kwargs["object_id"]
        )
        return context


class ProgrammeOverviewView(LoginRequiredMixin, TemplateView):
    template_name = "core/programme_overview.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not request.user.has_perm(
            "core.read_programme_overview"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        programme = selectors.default_programme()
        context["programme"] = programme
        context["municipalities"] = selectors.programme_overview(programme) if programme else []
        return context


class AccessibilityView(FormView):
    """Erklärung zur Barrierefreiheit with its feedback form (BITV 2.0 § 7)."""

    template_name = "core/accessibility.html"
    form_class = AccessibilityFeedbackForm

    def get_initial(self) -> dict[str, Any]:
        return {"page_url": self.request.GET.get("seite", "")}

    def form_valid(self, form: AccessibilityFeedbackForm) -> HttpResponse:
        data = form.cleaned_data
        if not data["website"]:
            services.accessibility_feedback_submit(
                message=data["message"], email=data["email"], page_url=data["page_url"]
            )
        messages.success(self.request, _("Thank you! We have received your feedback."))
        return redirect("core:accessibility")


class DataSourcesView(TemplateView):
    template_name = "core/data_sources.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sources"] = datasources.registered()
        return context


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """kette's 404 page (`handler404`): with a way back to the family guide of
    the municipality the address names, when that municipality exists."""
    match = request.resolver_match
    slug = match.kwargs.get("municipality_slug") if match else None
    municipality = selectors.municipality_with_slug(slug) if slug else None
    return render(request, "404.html", {"guide_municipality": municipality}, status=404)


def set_language(request: HttpRequest, language: str) -> HttpResponse:
    """Switch the interface language with a plain link (no form, so no CSRF cookie):
    the language cookie is the only cookie a public visitor ever gets."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=request.is_secure(),
        )
    return response
