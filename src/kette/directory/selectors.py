"""Reads of the offer directory: tenant-scoped querysets and computations.

The full-text search lives in kette.directory.search (`search_services`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Collate
from django.http import Http404
from django.utils import timezone

from kette.core import audit
from kette.core.collation import german
from kette.core.models import Municipality, Role, User
from kette.core.roles import roles_of
from kette.core.rules import is_programme_staff
from kette.directory.models import (
    LifePhase,
    LifePhaseMode,
    Location,
    LocationFeature,
    Organization,
    Phone,
    ProviderAccess,
    Schedule,
    ScheduleKind,
    Service,
    ServiceAtLocation,
    ServiceLifePhase,
    ServiceStatus,
    ServiceTerm,
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
    """The organisations `user` may enter offers for, in German name order (the
    offer form's choices)."""
    organizations = Organization.objects.for_municipality(municipality).order_by(
        german("name"), "pk"
    )
    if user.has_perm("directory.manage_organizations", municipality):
        return organizations
    return organizations.filter(pk__in=provider_organization_ids(user, municipality))


def service_list(
    user: Any,
    municipality: Municipality,
    *,
    status: str | None = None,
    life_phase: str | None = None,
    field_of_action: str | None = None,
    transition: str | None = None,
    stale_before: dt.datetime | None = None,
) -> QuerySet[Service]:
    """The internal offer list of a municipality for `user`, with provider; optionally
    only offers of one effective life phase, field of action or transition (by code),
    or published ones not confirmed since `stale_before` (see `stale_services`)."""
    services = services_visible_to(user, municipality).select_related("organization")
    if status:
        services = services.filter(status=status)
    if life_phase:
        services = services.filter(
            pk__in=ServiceLifePhase.objects.filter(
                municipality=municipality,
                life_phase__code=life_phase,
                mode__in=[LifePhaseMode.DERIVED, LifePhaseMode.ADDED],
            ).values("service_id")
        )
    if field_of_action:
        services = services.filter(
            pk__in=ServiceTerm.objects.filter(
                municipality=municipality,
                term__in=fields_of_action(municipality).filter(code=field_of_action),
            ).values("service_id")
        )
    if transition:
        services = services.filter(transitions__code=transition)
    if stale_before is not None:
        services = services.filter(_stale(stale_before))
    return in_name_order(services)


def in_name_order(services: QuerySet[Service]) -> QuerySet[Service]:
    """`services` by `by_sort_name`, then id (a stable order for pages)."""
    return services.order_by(by_sort_name(services.db), "pk")


def by_sort_name(using: str) -> Any:
    """Offers in the guide's name order (`Service.sort_name`: "Förderschule" among
    the F, "kath. Kindergarten" among the K), compared byte by byte on both
    databases as the guide does; the raw name's byte order put small letters and
    umlauts after Z."""
    if connections[using].vendor == "postgresql":
        return Collate(F("sort_name"), "C")
    return F("sort_name")


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
            "service_at_locations__location__schedules",
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
    return Organization.objects.for_municipality(municipality).order_by(german("name"), "pk")


def organizations_visible_to(user: Any, municipality: Municipality) -> QuerySet[Organization]:
    """The organisations (Träger) `user` may see on the internal pages: all of them
    for coordinators, editors, viewers and the coordination office, a provider's
    own ones, none otherwise; with the number of offers and of published ones."""
    organizations = Organization.objects.for_municipality(municipality)
    role = roles_of(user).in_municipality(municipality.pk)
    if role == Role.PROVIDER:
        organizations = organizations.filter(pk__in=provider_organization_ids(user, municipality))
    elif role not in (Role.COORDINATOR, Role.EDITOR, Role.VIEWER) and not (
        is_programme_staff.test(user)
    ):
        return organizations.none()
    return organizations.annotate(
        offer_count=Count("services", distinct=True),
        published_count=Count(
            "services", filter=Q(services__status=ServiceStatus.PUBLISHED), distinct=True
        ),
    ).order_by(german("name"), "pk")


def organization_for(user: Any, municipality: Municipality, pk: int) -> Organization:
    """One organisation of the municipality that `user` may see, or 404."""
    try:
        return organizations_visible_to(user, municipality).get(pk=pk)
    except Organization.DoesNotExist as error:
        raise Http404 from error


def provider_accesses_of(organization: Organization) -> QuerySet[ProviderAccess]:
    """The provider accounts that manage `organization`'s offers."""
    return (
        ProviderAccess.objects.for_municipality(organization.municipality)
        .filter(organization=organization)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def provider_accounts_without_access(organization: Organization) -> QuerySet[User]:
    """Accounts with the provider role in the organisation's municipality that do
    not manage it yet (the choices for granting access)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__municipality_id=organization.municipality_id,
            memberships__role=Role.PROVIDER,
        )
        .exclude(provider_accesses__organization=organization)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@dataclass(frozen=True)
class Vocabulary:
    """One taxonomy as a municipality sees it: default terms and own additions,
    each own term with how often it is used (a used term cannot be deleted)."""

    taxonomy: Taxonomy
    defaults: list[TaxonomyTerm]
    own: list[TaxonomyTerm]


def vocabularies_of(municipality: Municipality) -> list[Vocabulary]:
    """Fields of action and accessibility features of the municipality."""
    terms = list(
        TaxonomyTerm.objects.available_to(municipality)
        .select_related("taxonomy")
        .order_by("position", "name")
    )
    usage = term_usage(municipality, [term.pk for term in terms])
    for term in terms:
        term.usage = usage.get(term.pk, 0)
    result = []
    for taxonomy in Taxonomy.objects.filter(
        slug__in=[Taxonomy.FIELDS_OF_ACTION, Taxonomy.ACCESSIBILITY]
    ).order_by("-slug"):
        mine = [term for term in terms if term.taxonomy_id == taxonomy.pk]
        result.append(
            Vocabulary(
                taxonomy=taxonomy,
                defaults=[term for term in mine if term.municipality_id is None],
                own=[term for term in mine if term.municipality_id is not None],
            )
        )
    return result


def term_usage(municipality: Municipality, term_ids: list[int]) -> dict[int, int]:
    """How many of the municipality's offers and places use each term."""
    usage: dict[int, int] = {}
    for model in (ServiceTerm, LocationFeature):
        rows = (
            model.objects.for_municipality(municipality)
            .filter(term_id__in=term_ids)
            .values_list("term_id")
            .annotate(n=Count("pk"))
        )
        for term_id, count in rows:
            usage[term_id] = usage.get(term_id, 0) + count
    return usage


def own_term_for(municipality: Municipality, pk: int) -> TaxonomyTerm:
    """One of the municipality's own terms (default terms are not editable), or 404."""
    try:
        return TaxonomyTerm.objects.select_related("taxonomy").get(municipality=municipality, pk=pk)
    except TaxonomyTerm.DoesNotExist as error:
        raise Http404 from error


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


@dataclass
class Places:
    """Where, when and how to reach an offer (its edit page "Orte und Zeiten")."""

    links: list[ServiceAtLocation]  # with location, district and features
    hours: list[Schedule]
    phones: list[Phone]


def places_of_service(service: Service) -> Places:
    """The offer's locations, its own weekly opening hours and phone numbers
    (four queries whatever their number)."""
    links = list(
        service.service_at_locations.select_related("location__district")
        .prefetch_related("location__feature_links__term")
        # opening hours at the place, which removing the place removes too
        .annotate(hours_here=Count("schedules"))
        .order_by("location__address_1", "pk")
    )
    phones = list(service.phones.filter(contact__isnull=True).order_by("pk"))
    return Places(links=links, hours=weekly_hours_of(service), phones=phones)


def weekly_hours_of(service: Service) -> list[Schedule]:
    """The offer's own weekly opening hours, by day and time (one query)."""
    return list(service.schedules.filter(kind=ScheduleKind.REGULAR).order_by("weekday", "opens_at"))


def _stale(cutoff: dt.datetime) -> Q:
    """Published and not confirmed since `cutoff` (never confirmed: created before it)."""
    return Q(status=ServiceStatus.PUBLISHED) & (
        Q(last_verified_at__lt=cutoff) | Q(last_verified_at__isnull=True, created_at__lt=cutoff)
    )


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
        .filter(_stale(cutoff))
        .select_related("organization")
        .order_by("last_verified_at", "created_at")
    )


@dataclass(frozen=True)
class ChainMatrix:
    """Published offers per life phase × field of action (DESIGN: the chain at a glance).

    An offer counts once in every cell of its effective life phases and fields of
    action; `phase_totals` and `field_totals` count distinct offers, so they are
    not the sums of their cells."""

    life_phases: list[LifePhase]
    fields: list[TaxonomyTerm]
    cells: dict[tuple[int, int], int]  # (life phase id, term id) -> offers
    phase_totals: dict[int, int]
    field_totals: dict[int, int]
    transitions: list[tuple[Transition, int]]
    total: int
    without_phase: int  # published offers with no effective life phase
    without_field: int
    # False for a past moment: the offers' transitions have no change history,
    # so `transitions` is empty rather than today's figures
    transitions_recorded: bool = True

    def count(self, phase: LifePhase, term: TaxonomyTerm) -> int:
        return self.cells.get((phase.pk, term.pk), 0)

    @property
    def rows(self) -> list[tuple[LifePhase, list[tuple[TaxonomyTerm, int]], int]]:
        """One row per life phase: (phase, [(field, count)…], distinct offers)."""
        return [
            (
                phase,
                [(term, self.count(phase, term)) for term in self.fields],
                self.phase_totals.get(phase.pk, 0),
            )
            for phase in self.life_phases
        ]

    @property
    def empty_cells(self) -> int:
        return sum(1 for _phase, cells, _total in self.rows for _term, n in cells if n == 0)


def chain_matrix(municipality: Municipality, *, at: dt.datetime | None = None) -> ChainMatrix:
    """The matrix of the municipality's published offers, in five queries.

    With `at`: of the offers published at that moment, with the life phases and
    fields of action they had then, read from the change history (the rows and
    columns are today's life phases and fields of action); the offers'
    transitions have no history, so there are no figures per transition then."""
    phases = list(life_phases_of(municipality))
    fields = list(fields_of_action(municipality))
    field_ids = {term.pk for term in fields}
    modes = {LifePhaseMode.DERIVED, LifePhaseMode.ADDED}
    transition_counts: dict[int, int] | None = None
    if at is None:
        counted: dict[int, int] = {}
        published = Service.objects.for_municipality(municipality).filter(
            status=ServiceStatus.PUBLISHED
        )
        service_ids = set(published.values_list("pk", flat=True))
        phase_links = list(
            ServiceLifePhase.objects.filter(service__in=published, mode__in=modes).values_list(
                "service_id", "life_phase_id"
            )
        )
        term_links = list(
            ServiceTerm.objects.filter(service__in=published, term_id__in=field_ids).values_list(
                "service_id", "term_id"
            )
        )
        for (transition_id,) in Service.transitions.through.objects.filter(
            service__in=published
        ).values_list("transition_id"):
            counted[transition_id] = counted.get(transition_id, 0) + 1
        transition_counts = counted
    else:
        service_ids = published_at(municipality, at)
        scope = {"municipality_id": municipality.pk}
        phase_links = [
            (service_id, phase_id)
            for service_id, phase_id, mode in audit.rows_as_of(
                ServiceLifePhase, at, ("service_id", "life_phase_id", "mode"), **scope
            )
            if mode in modes and service_id in service_ids
        ]
        term_links = [
            (service_id, term_id)
            for service_id, term_id in audit.rows_as_of(
                ServiceTerm, at, ("service_id", "term_id"), **scope
            )
            if term_id in field_ids and service_id in service_ids
        ]
    phases_of: dict[int, set[int]] = {}
    for service_id, phase_id in phase_links:
        phases_of.setdefault(service_id, set()).add(phase_id)
    fields_of: dict[int, set[int]] = {}
    for service_id, term_id in term_links:
        fields_of.setdefault(service_id, set()).add(term_id)
    cells: dict[tuple[int, int], int] = {}
    phase_totals: dict[int, int] = {}
    field_totals: dict[int, int] = {}
    for service_id in service_ids:
        service_phases = phases_of.get(service_id, set())
        service_fields = fields_of.get(service_id, set())
        for phase_id in service_phases:
            phase_totals[phase_id] = phase_totals.get(phase_id, 0) + 1
            for term_id in service_fields:
                cells[(phase_id, term_id)] = cells.get((phase_id, term_id), 0) + 1
        for term_id in service_fields:
            field_totals[term_id] = field_totals.get(term_id, 0) + 1
    return ChainMatrix(
        life_phases=phases,
        fields=fields,
        cells=cells,
        phase_totals=phase_totals,
        field_totals=field_totals,
        transitions=[]
        if transition_counts is None
        else [(t, transition_counts.get(t.pk, 0)) for t in transitions_of(municipality)],
        total=len(service_ids),
        without_phase=sum(1 for pk in service_ids if not phases_of.get(pk)),
        without_field=sum(1 for pk in service_ids if not fields_of.get(pk)),
        transitions_recorded=transition_counts is not None,
    )


def published_at(municipality: Municipality, at: dt.datetime) -> set[int]:
    """Ids of the municipality's offers that were published at `at` (change history)."""
    return {
        pk
        for pk, status in audit.rows_as_of(
            Service, at, ("id", "status"), municipality_id=municipality.pk
        )
        if status == ServiceStatus.PUBLISHED
    }


def directory_recorded_since(municipality: Municipality) -> dt.datetime | None:
    """When the first offer of the municipality was entered in kette (its history)."""
    first = (
        Service.history.filter(municipality_id=municipality.pk)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return first


@dataclass(frozen=True)
class OfferYear:
    """How the municipality's directory changed in one calendar year and how fresh it
    is at a moment (`at`; None: now)."""

    year: int
    created: int  # offers entered in the year (whatever their status now)
    archived: int  # offers archived in the year (and not archived before)
    published: int  # published offers at the moment
    stale: int  # of those, not confirmed within the freshness period before it
    stale_after_months: int
    at: dt.datetime | None = None
    # with `at`: when the first offer was entered (None: never)
    recorded_since: dt.datetime | None = None

    @property
    def fresh_share(self) -> float | None:
        if not self.published:
            return None
        return (self.published - self.stale) / self.published


def offer_year(
    municipality: Municipality,
    year: int,
    *,
    stale_after: dt.timedelta,
    at: dt.datetime | None = None,
) -> OfferYear:
    """New and archived offers in `year` (from the audit history) and the freshness
    of the published offers now, or at the moment `at` as the change history
    records them (`stale_after`: the municipality's period, see
    kette.directory.freshness)."""

    services = Service.objects.for_municipality(municipality)
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    history = Service.history.model.objects.filter(municipality_id=municipality.pk)
    # entered in the year: the offers there are now and those deleted since,
    # which only the history still knows
    created = len(
        set(services.filter(created_at__gte=start, created_at__lt=end).values_list("pk", flat=True))
        | set(
            history.filter(
                history_type="+", history_date__gte=start, history_date__lt=end
            ).values_list("id", flat=True)
        )
    )
    archived_ids = set(
        history.filter(
            status=ServiceStatus.ARCHIVED, history_date__gte=start, history_date__lt=end
        ).values_list("id", flat=True)
    )
    already = set(
        history.filter(
            id__in=archived_ids, status=ServiceStatus.ARCHIVED, history_date__lt=start
        ).values_list("id", flat=True)
    )
    recorded_since = None
    if at is None:
        published = services.filter(status=ServiceStatus.PUBLISHED).count()
        stale = stale_services(municipality, older_than=stale_after).count()
    else:
        cutoff = at - stale_after
        states = [
            (verified, entered)
            for status, verified, entered in audit.rows_as_of(
                Service,
                at,
                ("status", "last_verified_at", "created_at"),
                municipality_id=municipality.pk,
            )
            if status == ServiceStatus.PUBLISHED
        ]
        published = len(states)
        # as `_stale`: not confirmed since the cutoff, never confirmed ones by their entry
        stale = sum(1 for verified, entered in states if (verified or entered) < cutoff)
        recorded_since = directory_recorded_since(municipality)
    return OfferYear(
        year=year,
        created=created,
        archived=len(archived_ids - already),
        published=published,
        stale=stale,
        stale_after_months=round(stale_after.days / (365.25 / 12)),  # as freshness.period
        at=at,
        recorded_since=recorded_since,
    )
