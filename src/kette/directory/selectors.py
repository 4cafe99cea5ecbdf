"""Reads of the offer directory: tenant-scoped querysets and computations.

The full-text search lives in kette.directory.search (`search_services`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kette.core.models import Municipality, Role
from kette.core.roles import roles_of
from kette.core.rules import is_programme_staff
from kette.directory.models import (
    LifePhase,
    LifePhaseMode,
    Location,
    Organization,
    ProviderAccess,
    Service,
    ServiceLifePhase,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    Transition,
)

DEFAULT_FRESHNESS = dt.timedelta(days=365)


def provider_organization_ids(user: Any, municipality: Municipality) -> list[int]:
    """The organisations of the municipality a provider account manages."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        ProviderAccess.objects.for_municipality(municipality)
        .filter(user=user)
        .values_list("organization_id", flat=True)
    )


def services_visible_to(user: Any, municipality: Municipality) -> QuerySet[Service]:
    """The municipality's offers `user` may read: all of them for its coordinators,
    editors and viewers and for the coordination office; for a provider its own
    organisations' offers plus everyone's published ones; else the published ones."""
    services = Service.objects.for_municipality(municipality)
    role = roles_of(user).in_municipality(municipality.pk)
    if role in (Role.COORDINATOR, Role.EDITOR, Role.VIEWER) or is_programme_staff.test(user):
        return services
    if role == Role.PROVIDER:
        return services.filter(
            Q(status=ServiceStatus.PUBLISHED)
            | Q(organization_id__in=provider_organization_ids(user, municipality))
        )
    return services.filter(status=ServiceStatus.PUBLISHED)


def services_editable_by(user: Any, municipality: Municipality) -> QuerySet[Service]:
    """The offers `user` may change: all for coordinators, editors and programme
    admins, the own organisations' offers for providers, none otherwise."""
    services = Service.objects.for_municipality(municipality)
    if user.has_perm("directory.manage_organizations", municipality):
        return services
    if roles_of(user).in_municipality(municipality.pk) == Role.PROVIDER:
        return services.filter(organization_id__in=provider_organization_ids(user, municipality))
    return services.none()


def organizations_editable_by(user: Any, municipality: Municipality) -> QuerySet[Organization]:
    organizations = Organization.objects.for_municipality(municipality)
    if user.has_perm("directory.manage_organizations", municipality):
        return organizations
    return organizations.filter(pk__in=provider_organization_ids(user, municipality))


def service_list(
    user: Any, municipality: Municipality, *, status: str | None = None
) -> QuerySet[Service]:
    """The internal offer list of a municipality for `user`, with provider."""
    services = services_visible_to(user, municipality).select_related("organization")
    if status:
        services = services.filter(status=status)
    return services.order_by("name", "pk")


def service_for(user: Any, municipality: Municipality, pk: int) -> Service:
    """One offer of the municipality that `user` may read, or 404."""
    try:
        return services_visible_to(user, municipality).select_related("organization").get(pk=pk)
    except Service.DoesNotExist as error:
        raise Http404 from error


def service_detail(municipality: Municipality, pk: int) -> Service:
    """A published offer with everything its public page shows, or 404."""
    queryset = (
        Service.objects.for_municipality(municipality)
        .filter(status=ServiceStatus.PUBLISHED)
        .select_related("organization")
        .prefetch_related(
            "service_at_locations__location__district",
            "service_at_locations__location__accessibility",
            "service_at_locations__schedules",
            "schedules",
            "phones",
            "contacts",
            "languages",
            "cost_options",
            "service_areas__district",
            Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
            "transitions",
        )
    )
    try:
        return queryset.get(pk=pk)
    except Service.DoesNotExist as error:
        raise Http404 from error


def organization_list(municipality: Municipality) -> QuerySet[Organization]:
    return Organization.objects.for_municipality(municipality).order_by("name", "pk")


def location_list(municipality: Municipality) -> QuerySet[Location]:
    return Location.objects.for_municipality(municipality).select_related("district")


def terms_of(municipality: Municipality, taxonomy_slug: str) -> QuerySet[TaxonomyTerm]:
    """The default terms of a taxonomy plus the municipality's own, in order."""
    return (
        TaxonomyTerm.objects.available_to(municipality)
        .filter(taxonomy__slug=taxonomy_slug)
        .order_by("municipality_id", "position", "name")
    )


def fields_of_action(municipality: Municipality) -> QuerySet[TaxonomyTerm]:
    return terms_of(municipality, Taxonomy.FIELDS_OF_ACTION)


def accessibility_features(municipality: Municipality) -> QuerySet[TaxonomyTerm]:
    return terms_of(municipality, Taxonomy.ACCESSIBILITY)


def life_phases_of(municipality: Municipality) -> QuerySet[LifePhase]:
    return LifePhase.objects.for_municipality(municipality).order_by("position", "min_age_months")


def transitions_of(municipality: Municipality) -> QuerySet[Transition]:
    return Transition.objects.for_municipality(municipality).order_by("position")


def life_phases_of_service(service: Service) -> QuerySet[LifePhase]:
    """The offer's effective life phases (derived from its ages or added)."""
    return LifePhase.objects.filter(
        pk__in=ServiceLifePhase.objects.filter(
            service=service, mode__in=[LifePhaseMode.DERIVED, LifePhaseMode.ADDED]
        ).values("life_phase_id")
    ).order_by("position", "min_age_months")


def stale_services(
    municipality: Municipality,
    *,
    older_than: dt.timedelta = DEFAULT_FRESHNESS,
    now: dt.datetime | None = None,
) -> QuerySet[Service]:
    """Published offers nobody confirmed within `older_than` (never confirmed ones:
    by their creation date), oldest first."""
    cutoff = (now or timezone.now()) - older_than
    return (
        Service.objects.for_municipality(municipality)
        .filter(status=ServiceStatus.PUBLISHED)
        .filter(
            Q(last_verified_at__lt=cutoff) | Q(last_verified_at__isnull=True, created_at__lt=cutoff)
        )
        .select_related("organization")
        .order_by("last_verified_at", "created_at")
    )
