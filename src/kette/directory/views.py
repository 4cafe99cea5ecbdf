"""Thin views of the offer directory (internal pages of a municipality)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from kette.core.tenancy import MunicipalityMixin
from kette.directory import selectors, services
from kette.directory.forms import ServiceForm
from kette.directory.models import Service, ServiceStatus


class ServiceListView(MunicipalityMixin, TemplateView):
    """The municipality's offers as its people may see them, with their status."""

    template_name = "directory/service_list.html"
    permission_required = "directory.list_offers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        if status not in ServiceStatus.values:
            status = ""
        services_ = selectors.service_list(self.request.user, self.municipality, status=status)
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
