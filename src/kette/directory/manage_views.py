"""Thin views for the directory's master data of a municipality: provider
organisations (Träger) with their provider accounts, the municipality's own
vocabulary terms (fields of action, accessibility features), the directory's
settings and the review of providers' changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from kette.core.tenancy import MunicipalityMixin
from kette.directory import freshness, review, selectors, services
from kette.directory.forms import (
    DirectorySettingsForm,
    NewTermForm,
    OrganizationForm,
    ProviderAccessForm,
    RejectChangeForm,
    TermForm,
)
from kette.directory.models import OfferChange, OfferChangeStatus, Organization, ProviderAccess


def _form_fields(form: Any) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


class OrganizationListView(MunicipalityMixin, TemplateView):
    """The municipality's providers with their number of offers."""

    template_name = "directory/organization_list.html"
    permission_required = "directory.list_offers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            organizations=selectors.organizations_visible_to(user, self.municipality),
            can_create=user.has_perm("directory.manage_organizations", self.municipality),
        )
        return context


class OrganizationCreateView(MunicipalityMixin, TemplateView):
    template_name = "directory/organization_form.html"
    permission_required = "directory.manage_organizations"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", OrganizationForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = OrganizationForm(request.POST)
        if form.is_valid():
            try:
                organization = services.organization_create(
                    actor=request.user,  # type: ignore[arg-type]
                    municipality=self.municipality,
                    **_form_fields(form),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request, _("The provider “%(name)s” was saved.") % {"name": organization.name}
                )
                return redirect(
                    "directory:organization_edit", self.municipality.slug, organization.pk
                )
        return self.render_to_response(self.get_context_data(form=form))


class OrganizationEditView(MunicipalityMixin, TemplateView):
    """A provider's fields, its offers and (for coordinators and editors) the
    provider accounts that manage its offers."""

    template_name = "directory/organization_form.html"
    permission_required = "directory.list_offers"

    def _organization(self) -> Organization:
        return selectors.organization_for(
            self.request.user, self.municipality, self.kwargs["organization_pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization = kwargs.get("organization") or self._organization()
        user = self.request.user
        can_edit = user.has_perm("directory.edit_organization", organization)
        can_manage = user.has_perm("directory.manage_organizations", self.municipality)
        context.update(
            organization=organization,
            can_edit=can_edit,
            can_manage=can_manage,
            offers=selectors.in_name_order(
                selectors.services_visible_to(user, self.municipality).filter(
                    organization=organization
                )
            ),
            # the offers linked to their form (as in the offer list: the others
            # by name only, where a read-only role would meet a refusal)
            editable=set(
                selectors.services_editable_by(user, self.municipality)
                .filter(organization=organization)
                .values_list("pk", flat=True)
            ),
        )
        if can_edit:
            context.setdefault("form", OrganizationForm(instance=organization))
        if can_manage:
            context.update(accesses=selectors.provider_accesses_of(organization))
            context.setdefault("access_form", ProviderAccessForm(organization=organization))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        organization = self._organization()
        action = request.POST.get("action", "")
        back = redirect("directory:organization_edit", self.municipality.slug, organization.pk)
        actor = request.user
        if action == "save":
            if not actor.has_perm("directory.edit_organization", organization):
                raise PermissionDenied
            form = OrganizationForm(request.POST, instance=organization)
            if form.is_valid():
                try:
                    services.organization_update(
                        actor=actor,  # type: ignore[arg-type]
                        organization=organization,
                        **_form_fields(form),
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    messages.success(request, _("The provider was saved."))
                    return back
            organization.refresh_from_db()
            return self.render_to_response(
                self.get_context_data(organization=organization, form=form)
            )
        if not actor.has_perm("directory.manage_organizations", self.municipality):
            raise PermissionDenied
        if action == "grant":
            access_form = ProviderAccessForm(request.POST, organization=organization)
            if access_form.is_valid():
                services.provider_access_grant(
                    actor=actor,  # type: ignore[arg-type]
                    user=access_form.cleaned_data["user"],
                    organization=organization,
                )
                messages.success(request, _("The account now manages this provider's offers."))
                return back
            return self.render_to_response(
                self.get_context_data(organization=organization, access_form=access_form)
            )
        if action == "revoke":
            pk = request.POST.get("pk", "")
            access = (
                ProviderAccess.objects.filter(organization=organization, pk=pk).first()
                if pk.isdigit()
                else None
            )
            if access is None:
                raise Http404
            services.provider_access_revoke(actor=actor, access=access)  # type: ignore[arg-type]
            messages.success(request, _("The account no longer manages this provider's offers."))
            return back
        messages.error(request, _("There is no such action."))
        return back


class VocabularyView(MunicipalityMixin, TemplateView):
    """Fields of action and accessibility features: the programme-wide default
    terms and the municipality's own additions, which can be added, renamed and,
    while unused, deleted."""

    template_name = "directory/vocabulary.html"
    permission_required = "directory.manage_vocabulary"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["vocabularies"] = selectors.vocabularies_of(self.municipality)
        context.setdefault("form", NewTermForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = NewTermForm(request.POST)
        if form.is_valid():
            try:
                term = services.taxonomy_term_create(
                    actor=request.user,  # type: ignore[arg-type]
                    municipality=self.municipality,
                    taxonomy=form.cleaned_data["taxonomy"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                form.add_error("name", error.messages)
            else:
                messages.success(request, _("The term “%(name)s” was added.") % {"name": term})
                return redirect("directory:vocabulary", self.municipality.slug)
        return self.render_to_response(self.get_context_data(form=form))


class TermEditView(MunicipalityMixin, TemplateView):
    """Rename or delete one of the municipality's own terms."""

    template_name = "directory/term_form.html"
    permission_required = "directory.manage_vocabulary"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        term = kwargs.get("term") or selectors.own_term_for(
            self.municipality, self.kwargs["term_pk"]
        )
        context.update(
            term=term,
            usage=selectors.term_usage(self.municipality, [term.pk]).get(term.pk, 0),
        )
        context.setdefault(
            "form", TermForm(initial={"name": term.name, "description": term.description})
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        term = selectors.own_term_for(self.municipality, self.kwargs["term_pk"])
        back = redirect("directory:vocabulary", self.municipality.slug)
        if request.POST.get("action") == "delete":
            try:
                services.taxonomy_term_delete(actor=request.user, term=term)  # type: ignore[arg-type]
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("directory:term_edit", self.municipality.slug, term.pk)
            messages.success(request, _("The term “%(name)s” was deleted.") % {"name": term})
            return back
        form = TermForm(request.POST)
        if form.is_valid():
            services.taxonomy_term_update(
                actor=request.user,  # type: ignore[arg-type]
                term=term,
                **form.cleaned_data,
            )
            messages.success(request, _("The term was saved."))
            return back
        return self.render_to_response(self.get_context_data(term=term, form=form))


class DirectorySettingsView(MunicipalityMixin, TemplateView):
    """The freshness period and whether providers' changes are reviewed."""

    template_name = "directory/settings.html"
    permission_required = "directory.manage_settings"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        row = freshness.directory_settings_of(self.municipality)
        context.setdefault(
            "form",
            DirectorySettingsForm(
                initial={
                    "stale_after_months": row.stale_after_months,
                    "review_provider_changes": row.review_provider_changes,
                }
            ),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DirectorySettingsForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        freshness.directory_settings_update(
            actor=request.user,  # type: ignore[arg-type]
            municipality=self.municipality,
            **form.cleaned_data,
        )
        messages.success(request, _("The settings were saved."))
        return redirect("directory:settings", self.municipality.slug)


class ChangeListView(MunicipalityMixin, TemplateView):
    """Providers' changes waiting for review, and the latest decisions."""

    template_name = "directory/change_list.html"
    permission_required = "directory.review_changes"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            pending=review.pending_changes(self.municipality),
            decided=OfferChange.objects.for_municipality(self.municipality)
            .exclude(status=OfferChangeStatus.PENDING)
            .select_related("service", "proposed_by", "decided_by")
            .order_by("-decided_at", "-pk")[:20],
            enabled=review.review_enabled(self.municipality),
            can_settings=self.request.user.has_perm("directory.manage_settings", self.municipality),
        )
        return context


class ChangeReviewView(MunicipalityMixin, TemplateView):
    """One proposed change against the offer as it is now; approve or reject."""

    template_name = "directory/change_review.html"
    permission_required = "directory.review_changes"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        change = kwargs.get("change") or review.change_for(
            self.municipality, self.kwargs["change_pk"]
        )
        context.update(change=change, rows=review.change_rows(change))
        context.setdefault("reject_form", RejectChangeForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        change = review.change_for(self.municipality, self.kwargs["change_pk"])
        action = request.POST.get("action", "")
        actor = request.user
        try:
            if action == "approve":
                review.offer_change_approve(actor=actor, change=change)  # type: ignore[arg-type]
                messages.success(request, _("The change was approved and is now public."))
                return redirect("directory:change_list", self.municipality.slug)
            if action == "reject":
                form = RejectChangeForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(change=change, reject_form=form)
                    )
                review.offer_change_reject(
                    actor=actor,  # type: ignore[arg-type]
                    change=change,
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The change was rejected; the provider is told why."))
                return redirect("directory:change_list", self.municipality.slug)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("directory:change_review", self.municipality.slug, change.pk)
        messages.error(request, _("There is no such action."))
        return redirect("directory:change_review", self.municipality.slug, change.pk)
