"""Thin views of the offer directory (internal pages of a municipality)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from kette.core.tenancy import MunicipalityMixin
from kette.directory import freshness, selectors, services
from kette.directory.forms import ServiceForm
from kette.directory.models import Service, ServiceStatus


def _filter_labels(municipality: Any, chosen: dict[str, str], stale: bool) -> list[str]:
    """Readable names of the active list filters."""
    labels = []
    if chosen["lebensphase"]:
        found = selectors.life_phases_of(municipality).filter(code=chosen["lebensphase"]).first()
        labels.append(found.name if found else chosen["lebensphase"])
    if chosen["handlungsfeld"]:
        found = (
            selectors.fields_of_action(municipality).filter(code=chosen["handlungsfeld"]).first()
        )
        labels.append(found.name if found else chosen["handlungsfeld"])
    if chosen["uebergang"]:
        found = selectors.transitions_of(municipality).filter(code=chosen["uebergang"]).first()
        labels.append(found.name if found else chosen["uebergang"])
    if stale:
        labels.append(_("due for a check"))
    return labels


class ChainMatrixView(MunicipalityMixin, TemplateView):
    """The chain at a glance: published offers per life phase × field of action and per
    transition, empty cells highlighted, each cell linking to its offers; freshness."""

    template_name = "directory/chain_matrix.html"
    permission_required = "directory.list_offers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        months = freshness.stale_after_months(self.municipality)
        context["matrix"] = selectors.chain_matrix(self.municipality)
        context["stale_count"] = selectors.stale_services(
            self.municipality, older_than=freshness.period(months)
        ).count()
        context["stale_after_months"] = months
        return context


class ServiceListView(MunicipalityMixin, TemplateView):
    """The municipality's offers as its people may see them, with their status."""

    template_name = "directory/service_list.html"
    permission_required = "directory.list_offers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        if status not in ServiceStatus.values:
            status = ""
        # Filters the chain matrix links to (codes; unknown codes match nothing).
        chosen = {
            "lebensphase": self.request.GET.get("lebensphase", ""),
            "handlungsfeld": self.request.GET.get("handlungsfeld", ""),
            "uebergang": self.request.GET.get("uebergang", ""),
        }
        stale = self.request.GET.get("pruefung") == "faellig"
        services_ = selectors.service_list(
            self.request.user,
            self.municipality,
            status=status,
            life_phase=chosen["lebensphase"],
            field_of_action=chosen["handlungsfeld"],
            transition=chosen["uebergang"],
            stale_before=timezone.now()
            - freshness.period(freshness.stale_after_months(self.municipality))
            if stale
            else None,
        )
        query = urlencode(
            {"status": status, **{k: v for k, v in chosen.items() if v}}
            | ({"pruefung": "faellig"} if stale else {})
        )
        page = Paginator(services_, 50).get_page(self.request.GET.get("seite"))
        editable = set(
            selectors.services_editable_by(self.request.user, self.municipality)
            .filter(pk__in=[s.pk for s in page])
            .values_list("pk", flat=True)
        )
        context.update(
            page=page,
            status=status,
            statuses=ServiceStatus.choices,
            editable=editable,
            query=query,
            chosen=chosen,
            stale=stale,
            filtered=stale or any(chosen.values()),
            filter_labels=_filter_labels(self.municipality, chosen, stale),
            can_create=self.request.user.has_perm("directory.create_offer", self.municipality),
        )
        return context


class _ServiceFormView(MunicipalityMixin, FormView):
    template_name = "directory/service_form.html"
    form_class = ServiceForm
    service: Service | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(municipality=self.municipality, user=self.request.user)
        if self.service is not None:
            kwargs["instance"] = self.service
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["service"] = self.service
        if self.service is not None:
            context["life_phases"] = selectors.life_phases_of_service(self.service)
        return context

    def save(self, form: ServiceForm) -> Service:
        raise NotImplementedError

    def form_valid(self, form: ServiceForm) -> HttpResponse:
        try:
            service = self.save(form)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The offer “%(name)s” was saved.") % {"name": service.name}
        )
        return redirect("directory:service_edit", self.municipality.slug, service.pk)


class ServiceCreateView(_ServiceFormView):
    permission_required = "directory.create_offer"

    def save(self, form: ServiceForm) -> Service:
        fields = form.service_fields()
        return services.service_create(actor=self.request.user, **fields)  # type: ignore[arg-type]


class ServiceEditView(_ServiceFormView):
    permission_required = "directory.list_offers"

    def get_form_kwargs(self) -> dict[str, Any]:
        self._load_service()
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self._load_service()
        return super().get_context_data(**kwargs)

    def _load_service(self) -> None:
        if self.service is None:
            service = selectors.service_for(
                self.request.user, self.municipality, self.kwargs["service_pk"]
            )
            if not self.request.user.has_perm("directory.edit_offer", service):
                raise PermissionDenied
            self.service = service

    def save(self, form: ServiceForm) -> Service:
        assert self.service is not None
        fields = form.service_fields()
        return services.service_update(
            actor=self.request.user,  # type: ignore[arg-type]
            service=self.service,
            **fields,
        )


class ServiceStatusView(MunicipalityMixin, View):
    """Publish, archive, return to draft, or confirm an offer as current (POST)."""

    permission_required = "directory.list_offers"
    actions = {
        "publish": ("directory.publish_offer", services.service_publish),
        "archive": ("directory.publish_offer", services.service_archive),
        "draft": ("directory.publish_offer", services.service_unpublish),
        "confirm": ("directory.confirm_offer", services.service_confirm_current),
    }

    def post(self, request: HttpRequest, municipality_slug: str, service_pk: int) -> HttpResponse:
        service = selectors.service_for(request.user, self.municipality, service_pk)
        action = self.actions.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("There is no such action."))
            return redirect("directory:service_edit", municipality_slug, service.pk)
        permission, service_function = action
        if not request.user.has_perm(permission, service):
            raise PermissionDenied
        service_function(actor=request.user, service=service)
        messages.success(request, _("The offer's status was saved."))
        return redirect("directory:service_edit", municipality_slug, service.pk)
