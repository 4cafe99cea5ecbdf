"""Thin views of the offer directory (internal pages of a municipality)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from kette.core.geo import outside_municipality
from kette.core.models import Role
from kette.core.roles import roles_of
from kette.core.tenancy import MunicipalityMixin
from kette.directory import freshness, review, selectors, services
from kette.directory.forms import (
    OfferLocationForm,
    OpeningHoursForm,
    PhoneForm,
    ServiceForm,
    proposal_initial,
)
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
        # A provider keeps its own offers: those first, all published ones on request.
        user = self.request.user
        provider = roles_of(user).in_municipality(self.municipality.pk) == Role.PROVIDER
        own_only = provider and self.request.GET.get("alle") != "1"
        if own_only:
            services_ = services_.filter(
                pk__in=selectors.services_editable_by(user, self.municipality).values("pk")
            )
        query = urlencode(
            {"status": status, **{k: v for k, v in chosen.items() if v}}
            | ({"pruefung": "faellig"} if stale else {})
            | ({"alle": "1"} if provider and not own_only else {})
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
            provider=provider,
            own_only=own_only,
            can_create=self.request.user.has_perm("directory.create_offer", self.municipality),
        )
        return context


class _ServiceFormView(MunicipalityMixin, FormView):
    template_name = "directory/service_form.html"
    form_class = ServiceForm
    service: Service | None = None
    saved_message: str = ""

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
            self.request,
            self.saved_message or _("The offer “%(name)s” was saved.") % {"name": service.name},
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
        kwargs = super().get_form_kwargs()
        assert self.service is not None
        if review.review_required(self.request.user, self.service):
            # A provider goes on editing its pending proposal, not the published text.
            pending = review.pending_change_of(self.service)
            if pending is not None:
                kwargs["initial"] = proposal_initial(pending.changes)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self._load_service()
        context = super().get_context_data(**kwargs)
        assert self.service is not None
        user = self.request.user
        context.update(
            pending_change=review.pending_change_of(self.service),
            last_decision=review.latest_decision_of(self.service),
            under_review=review.review_required(user, self.service, publishing=True),
            can_review=user.has_perm("directory.review_changes", self.municipality),
        )
        return context

    def _load_service(self) -> None:
        if self.service is None:
            service = selectors.service_for(
                self.request.user, self.municipality, self.kwargs["service_pk"]
            )
            if not self.request.user.has_perm("directory.edit_offer", service):
                raise PermissionDenied
            self.service = service

    def save(self, form: ServiceForm) -> Service:
        service = self._save(form)
        if form.cleaned_data.get("confirm_current"):  # offered only to those who may
            services.service_confirm_current(actor=self.request.user, service=service)  # type: ignore[arg-type]
        return service

    def _save(self, form: ServiceForm) -> Service:
        assert self.service is not None
        fields = form.service_fields()
        if review.review_required(self.request.user, self.service):
            change = review.offer_change_propose(
                actor=self.request.user,  # type: ignore[arg-type]
                service=self.service,
                **fields,
            )
            self.saved_message = (
                _(
                    "Your change was passed on for review. The family guide shows the offer "
                    "unchanged until the coordination approves it."
                )
                if change
                else _("Nothing differs from the published offer; no change is waiting.")
            )
            return self.service
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
        "withdraw": ("directory.edit_offer", None),
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
        if service_function is None:  # the provider withdraws its pending proposal
            if not review.review_required(request.user, service, publishing=True):
                raise PermissionDenied  # reviewers reject (with a reason) instead
            pending = review.pending_change_of(service)
            if pending is not None:
                review.offer_change_withdraw(actor=request.user, change=pending)  # type: ignore[arg-type]
            messages.success(request, _("Your proposed change was withdrawn."))
            return redirect("directory:service_edit", municipality_slug, service.pk)
        if request.POST["action"] == "publish" and review.review_required(
            request.user, service, publishing=True
        ):
            review.offer_change_propose(
                actor=request.user,  # type: ignore[arg-type]
                service=service,
                status=ServiceStatus.PUBLISHED,
            )
            messages.success(
                request,
                _("Publication was requested; the coordination reviews the offer first."),
            )
            return redirect("directory:service_edit", municipality_slug, service.pk)
        service_function(actor=request.user, service=service)
        messages.success(request, _("The offer's status was saved."))
        return redirect("directory:service_edit", municipality_slug, service.pk)


class ServicePlacesView(MunicipalityMixin, TemplateView):
    """Where and when an offer takes place: its locations (added with address,
    coordinates and accessibility, or taken off the offer), weekly opening hours
    and phone numbers; each change through the services, audited."""

    template_name = "directory/service_places.html"
    permission_required = "directory.list_offers"
    forms: dict[str, Any] = {
        "location_form": OfferLocationForm,
        "hours_form": OpeningHoursForm,
        "phone_form": PhoneForm,
    }

    def _service(self) -> Service:
        service = selectors.service_for(
            self.request.user, self.municipality, self.kwargs["service_pk"]
        )
        if not self.request.user.has_perm("directory.edit_offer", service):
            raise PermissionDenied
        return service

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        service = kwargs.get("service") or self._service()
        context.update(
            service=service,
            places=selectors.places_of_service(service),
            **{
                name: kwargs.get(name) or form_class(**self._form_kwargs(name))
                for name, form_class in self.forms.items()
            },
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        service = self._service()
        action = request.POST.get("action", "")
        back = redirect("directory:service_places", self.municipality.slug, service.pk)
        if action in ("remove_place", "remove_hours", "remove_phone"):
            self._remove(service, action, request.POST.get("pk", ""))
            messages.success(request, _("Removed."))
            return back
        adders = {
            "add_place": ("location_form", self._add_place, _("The place was added.")),
            "add_hours": ("hours_form", self._add_hours, _("The opening hours were added.")),
            "add_phone": ("phone_form", self._add_phone, _("The phone number was added.")),
        }
        if action not in adders:
            messages.error(request, _("There is no such action."))
            return back
        name, add, done = adders[action]
        form = self.forms[name](request.POST, **self._form_kwargs(name, service))
        if not form.is_valid():
            context = self.get_context_data(service=service, **{name: form})
            return self.render_to_response(context)
        add(service, form.cleaned_data)
        messages.success(request, done)
        data = form.cleaned_data
        if (
            action == "add_place"
            and data.get("latitude") is not None
            and data.get("longitude") is not None
            and outside_municipality(self.municipality, data["latitude"], data["longitude"])
        ):
            messages.warning(
                request,
                _(
                    "The place lies outside %(municipality)s. Please check its coordinates "
                    "(latitude and longitude swapped?)."
                )
                % {"municipality": self.municipality.name},
            )
        return back

    def _form_kwargs(self, name: str, service: Service | None = None) -> dict[str, Any]:
        prefix = {"location_form": "place", "hours_form": "hours", "phone_form": "phone"}[name]
        if name == "location_form":
            return {"municipality": self.municipality, "prefix": prefix}
        if name == "hours_form" and service is not None:
            return {"prefix": prefix, "existing": selectors.weekly_hours_of(service)}
        return {"prefix": prefix}

    def _add_place(self, service: Service, data: dict[str, Any]) -> None:
        data = dict(data)
        features = data.pop("accessibility")
        location = services.location_create(
            actor=self.request.user,  # type: ignore[arg-type]
            municipality=self.municipality,
            organization=service.organization,
            accessibility=features,
            **data,
        )
        services.service_add_location(
            actor=self.request.user,  # type: ignore[arg-type]
            service=service,
            location=location,
        )

    def _add_hours(self, service: Service, data: dict[str, Any]) -> None:
        services.schedule_add(actor=self.request.user, service=service, **data)  # type: ignore[arg-type]

    def _add_phone(self, service: Service, data: dict[str, Any]) -> None:
        services.phone_add(actor=self.request.user, service=service, **data)  # type: ignore[arg-type]

    def _remove(self, service: Service, action: str, pk: str) -> None:
        """Only rows of this offer can be removed; anything else is a 404."""
        actor = self.request.user
        owned = {
            "remove_place": service.service_at_locations.all(),
            "remove_hours": service.schedules.all(),
            "remove_phone": service.phones.filter(contact__isnull=True),
        }[action]
        row = owned.filter(pk=pk).first() if pk.isdigit() else None
        if row is None:
            raise Http404
        if action == "remove_place":
            services.service_remove_location(actor=actor, service_at_location=row)  # type: ignore[arg-type]
        elif action == "remove_hours":
            services.schedule_delete(actor=actor, schedule=row)  # type: ignore[arg-type]
        else:
            services.phone_delete(actor=actor, phone=row)  # type: ignore[arg-type]
