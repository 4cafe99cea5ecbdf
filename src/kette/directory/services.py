"""Writes of the offer directory. Every service is keyword-only, atomic and audited.

Whatever changes what an offer shows (its fields, provider, locations, terms,
languages, schedules, areas, life phases) ends with `service_reindex`, which
rebuilds the offer's search document and filter keys (see
kette.directory.search); the full-text index follows by trigger (SQLite) or
generated column (PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kette.core import bulk, geo
from kette.core.audit import (
    BulkValidationError,
    audited_bulk_create,
    audited_delete,
    audited_insert,
    audited_insert_checked,
    audited_save,
    clean_fields_quickly,
)
from kette.core.models import District, Municipality, Role, User
from kette.core.roles import roles_of
from kette.core.tenancy import check_fields, check_same_municipality
from kette.core.text import german_slug
from kette.directory import defaults, facets, search, selectors
from kette.directory.models import (
    Contact,
    CostOption,
    Language,
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
    ServiceArea,
    ServiceAtLocation,
    ServiceFacet,
    ServiceLifePhase,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
    Transition,
)


def years_to_months(value: Decimal | float | int | str | None) -> int | None:
    """An age given in years (decimals allowed, "1,5" or "1.5") as whole months,
    rounded half up; None for an empty value. Raises ValidationError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        years = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError(
            _("“%(value)s” is not an age in years.") % {"value": value}
        ) from error
    if not years.is_finite() or abs(years) >= 1000:
        raise ValidationError(_("“%(value)s” is not an age in years.") % {"value": value})
    return int((years * 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------
# Taxonomy, life phases, transitions
# ---------------------------------------------------------------------------


@transaction.atomic
def taxonomy_ensure_defaults() -> None:
    """Create or refresh the programme-wide default taxonomies and terms (idempotent;
    a migration runs the same on installation)."""
    vocabularies = {
        Taxonomy.FIELDS_OF_ACTION: defaults.FIELDS_OF_ACTION,
        Taxonomy.ACCESSIBILITY: defaults.ACCESSIBILITY_FEATURES,
    }
    for slug, (name, description) in defaults.TAXONOMIES.items():
        taxonomy, _created = Taxonomy.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "id_hsds": defaults.default_uuid(slug),
            },
        )
        for position, (code, term_name) in enumerate(vocabularies[slug]):
            term = TaxonomyTerm.objects.filter(
                taxonomy=taxonomy, municipality=None, code=code
            ).first() or TaxonomyTerm(
                taxonomy=taxonomy, code=code, id_hsds=defaults.default_uuid(slug, code)
            )
            if term.pk is None or term.name != term_name or term.position != position:
                term.name = term_name
                term.position = position
                audited_save(term, actor=None)


@transaction.atomic
def taxonomy_term_create(
    *,
    actor: User | None,
    municipality: Municipality,
    taxonomy: Taxonomy,
    name: str,
    code: str = "",
    description: str = "",
) -> TaxonomyTerm:
    """Add a municipality's own term to a taxonomy (next to the default terms).
    The code (from the name unless given) must not repeat a term the municipality
    already sees."""
    code = code or german_slug(name)[:80]
    if (
        TaxonomyTerm.objects.available_to(municipality)
        .filter(taxonomy=taxonomy, code=code)
        .exists()
    ):
        raise ValidationError(
            {"code": _("A term with the short name “%(code)s” already exists.") % {"code": code}}
        )
    position = TaxonomyTerm.objects.available_to(municipality).filter(taxonomy=taxonomy).count()
    term = TaxonomyTerm(
        taxonomy=taxonomy,
        municipality=municipality,
        code=code,
        name=name,
        description=description,
        position=position,
    )
    audited_save(term, actor=actor)
    return term


@transaction.atomic
def taxonomy_term_update(
    *, actor: User | None, term: TaxonomyTerm, name: str, description: str = ""
) -> TaxonomyTerm:
    """Rename or describe a municipality's own term (its short name, used in links
    and imports, stays). The programme-wide default terms are not changed here."""
    if term.municipality_id is None:
        raise ValidationError(_("The programme-wide default terms cannot be changed here."))
    term.name = name
    term.description = description
    audited_save(term, actor=actor)
    return term


@transaction.atomic
def taxonomy_term_delete(*, actor: User | None, term: TaxonomyTerm) -> None:
    """Delete a municipality's own term that no offer or place uses."""
    if term.municipality_id is None:
        raise ValidationError(_("The programme-wide default terms cannot be deleted."))
    used = (
        ServiceTerm.objects.filter(term=term).count()
        + LocationFeature.objects.filter(term=term).count()
    )
    if used:
        raise ValidationError(
            ngettext(
                "The term is still used by %(count)d offer or place.",
                "The term is still used by %(count)d offers or places.",
                used,
            )
            % {"count": used}
        )
    audited_delete(term, actor=actor)


@transaction.atomic
def life_phases_ensure_defaults(
    municipality: Municipality, *, actor: User | None = None
) -> list[LifePhase]:
    """Give the municipality the default life phases and transitions of DESIGN.md
    where it has none of that code yet; its own changes are kept. Returns its phases."""
    existing = {p.code: p for p in LifePhase.objects.for_municipality(municipality)}
    for position, (code, name, start, end) in enumerate(defaults.LIFE_PHASES):
        if code not in existing:
            phase = LifePhase(
                municipality=municipality,
                code=code,
                name=name,
                min_age_months=start,
                max_age_months=end,
                position=position,
            )
            audited_save(phase, actor=actor)
            existing[code] = phase
    transitions = set(
        Transition.objects.for_municipality(municipality).values_list("code", flat=True)
    )
    for position, (code, name, source, target) in enumerate(defaults.TRANSITIONS):
        if code not in transitions:
            audited_save(
                Transition(
                    municipality=municipality,
                    code=code,
                    name=name,
                    from_phase=existing.get(source),
                    to_phase=existing.get(target),
                    position=position,
                ),
                actor=actor,
            )
    return list(LifePhase.objects.for_municipality(municipality).order_by("position"))


@transaction.atomic
def life_phase_update(
    *,
    actor: User | None,
    life_phase: LifePhase,
    name: str,
    min_age_months: int,
    max_age_months: int,
) -> LifePhase:
    """Change a life phase's name or boundaries; every offer's derived life phases
    follow (explicit additions and removals stay)."""
    life_phase.name = name
    life_phase.min_age_months = min_age_months
    life_phase.max_age_months = max_age_months
    audited_save(life_phase, actor=actor)
    services = Service.objects.for_municipality(life_phase.municipality)
    for service in services:
        _derive_life_phases(service, actor=actor)
        service_reindex(service=service)
    return life_phase


def _overlaps(service: Service, phase: LifePhase) -> bool:
    if service.min_age_months is None and service.max_age_months is None:
        return False  # no age given: no phase is derived
    low = service.min_age_months if service.min_age_months is not None else -(10**6)
    high = service.max_age_months if service.max_age_months is not None else 10**6
    return low < phase.max_age_months and high > phase.min_age_months


def _derive_life_phases(service: Service, *, actor: User | None) -> None:
    services_derive_life_phases(actor=actor, services=[service])


def services_derive_life_phases(
    *, actor: User | None, services: Sequence[Service], new: bool = False
) -> None:
    """Link offers of one municipality to the life phases their age ranges overlap
    and drop derived links that no longer fit (explicit additions and removals
    stay), with a constant number of queries per chunk of offers (`new`: offers
    just created, which have no links yet: none)."""
    if not services:
        return
    phases = list(LifePhase.objects.filter(municipality_id=services[0].municipality_id))
    for start in range(0, len(services), REINDEX_CHUNK):
        chunk = services[start : start + REINDEX_CHUNK]
        links: dict[int, dict[int, ServiceLifePhase]] = defaultdict(dict)
        if not new:
            for link in ServiceLifePhase.objects.filter(service_id__any=[s.pk for s in chunk]):
                links[link.service_id][link.life_phase_id] = link
        rows = []
        for service in chunk:
            mine = links[service.pk]
            for phase in phases:
                link = mine.get(phase.pk)
                wanted = _overlaps(service, phase)
                if link is None and wanted:
                    rows.append(
                        {
                            "municipality_id": service.municipality_id,
                            "service_id": service.pk,
                            "life_phase_id": phase.pk,
                            "mode": LifePhaseMode.DERIVED,
                        }
                    )
                elif link is not None and link.mode == LifePhaseMode.DERIVED and not wanted:
                    audited_delete(link, actor=actor)
        audited_insert(ServiceLifePhase, rows, actor=actor)


@transaction.atomic
def service_adjust_life_phases(
    *,
    actor: User | None,
    service: Service,
    add: Iterable[LifePhase] = (),
    remove: Iterable[LifePhase] = (),
    reset: Iterable[LifePhase] = (),
) -> list[LifePhase]:
    """Add life phases to an offer beyond its age range, remove derived ones, or
    `reset` phases to what the age range says. Explicit choices survive later
    changes of the age range. Returns the offer's effective life phases."""
    for phase, mode in [(p, LifePhaseMode.ADDED) for p in add] + [
        (p, LifePhaseMode.REMOVED) for p in remove
    ]:
        check_same_municipality(service.municipality, phase)
        link = ServiceLifePhase.objects.filter(service=service, life_phase=phase).first()
        if link is None:
            link = ServiceLifePhase(
                municipality=service.municipality, service=service, life_phase=phase
            )
        if link.mode != mode:
            link.mode = mode
            audited_save(link, actor=actor)
    for phase in reset:
        link = ServiceLifePhase.objects.filter(service=service, life_phase=phase).first()
        if link is not None and link.mode != LifePhaseMode.DERIVED:
            audited_delete(link, actor=actor)
    _derive_life_phases(service, actor=actor)
    service_reindex(service=service)
    return list(selectors.life_phases_of_service(service))


# ---------------------------------------------------------------------------
# Organisations and provider access
# ---------------------------------------------------------------------------

ORGANIZATION_FIELDS = {"name", "alternate_name", "description", "email", "website", "legal_status"}


@transaction.atomic
def organization_create(
    *, actor: User | None, municipality: Municipality, name: str, **fields: Any
) -> Organization:
    """Create a provider organisation (Träger) of the municipality."""
    check_fields(fields, ORGANIZATION_FIELDS)
    organization = Organization(municipality=municipality, name=name, **fields)
    audited_save(organization, actor=actor)
    return organization


@transaction.atomic
def organizations_create_bulk(
    *, actor: User | None, municipality: Municipality, names: Sequence[str]
) -> list[Organization]:
    """`organization_create` for many new providers known by name only (bulk
    imports), validated and audited, in a few statements."""
    return audited_bulk_create(
        [
            Organization(municipality=municipality, name=name, id_hsds=new_id)
            for name, new_id in zip(names, bulk.random_uuids(), strict=False)
        ],
        actor=actor,
    )


@transaction.atomic
def organization_update(
    *, actor: User | None, organization: Organization, **fields: Any
) -> Organization:
    """Change an organisation; its offers' search documents follow its name."""
    check_fields(fields, ORGANIZATION_FIELDS)
    for key, value in fields.items():
        setattr(organization, key, value)
    audited_save(organization, actor=actor)
    if {"name", "alternate_name"} & set(fields):
        for service in organization.services.all():
            service_reindex(service=service)
    return organization


@transaction.atomic
def provider_access_grant(
    *, actor: User | None, user: User, organization: Organization
) -> ProviderAccess:
    """Let a provider account (role `provider` in the organisation's municipality)
    manage the organisation's offers."""
    if roles_of(user).in_municipality(organization.municipality_id) != Role.PROVIDER:
        raise ValidationError(
            _("%(user)s does not have the provider role in this municipality.") % {"user": user}
        )
    access = ProviderAccess.objects.filter(user=user, organization=organization).first()
    if access is None:
        access = ProviderAccess(
            municipality=organization.municipality, user=user, organization=organization
        )
        audited_save(access, actor=actor)
    return access


@transaction.atomic
def provider_access_revoke(*, actor: User | None, access: ProviderAccess) -> None:
    audited_delete(access, actor=actor)


# ---------------------------------------------------------------------------
# Services (offers)
# ---------------------------------------------------------------------------

SERVICE_FIELDS = {
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "min_age_months",
    "max_age_months",
    "eligibility_description",
    "application_process",
    "is_free",
    "fees_description",
}


def _set_terms(service: Service, terms: Iterable[TaxonomyTerm], *, actor: User | None) -> None:
    wanted = {term.pk: term for term in terms}
    for term in wanted.values():
        check_same_municipality(service.municipality, term)
    for link in service.term_links.all():
        if link.term_id not in wanted:
            audited_delete(link, actor=actor)
        else:
            del wanted[link.term_id]
    for term in wanted.values():
        audited_save(
            ServiceTerm(municipality=service.municipality, service=service, term=term), actor=actor
        )


def _set_languages(service: Service, codes: Iterable[str], *, actor: User | None) -> None:
    wanted = {code.strip().lower() for code in codes if code.strip()}
    for language in service.languages.all():
        if language.code in wanted:
            wanted.discard(language.code)
        else:
            audited_delete(language, actor=actor)
    for code in sorted(wanted):
        audited_save(
            Language(municipality=service.municipality, service=service, code=code), actor=actor
        )


@transaction.atomic
def service_create(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    status: str = ServiceStatus.DRAFT,
    terms: Iterable[TaxonomyTerm] = (),
    transitions: Iterable[Transition] = (),
    languages: Iterable[str] = (),
    **fields: Any,
) -> Service:
    """Create an offer of `organization` (in its municipality). Ages are whole months
    (see `years_to_months`); its life phases are derived from them. The
    municipality gets the default life phases first if it has none."""
    check_fields(fields, SERVICE_FIELDS)
    municipality = organization.municipality
    if not LifePhase.objects.for_municipality(municipality).exists():
        life_phases_ensure_defaults(municipality, actor=actor)
    service = Service(
        municipality=municipality, organization=organization, name=name, status=status, **fields
    )
    audited_save(service, actor=actor)
    _set_terms(service, terms, actor=actor)
    transitions = list(transitions)
    check_same_municipality(municipality, *transitions)
    service.transitions.set(transitions)
    _set_languages(service, languages, actor=actor)
    _derive_life_phases(service, actor=actor)
    service_reindex(service=service)
    return service


@dataclass
class LocationDraft:
    """A new location of a new offer (see `services_create_bulk`)."""

    fields: dict[str, Any]  # LOCATION_FIELDS except organization and district
    accessibility: list[TaxonomyTerm] = dataclass_field(default_factory=list)


@dataclass
class OfferDraft:
    """A new offer with its new locations and phones (see `services_create_bulk`)."""

    organization: Organization
    name: str
    status: str = ServiceStatus.DRAFT
    fields: dict[str, Any] = dataclass_field(default_factory=dict)  # SERVICE_FIELDS
    terms: list[TaxonomyTerm] = dataclass_field(default_factory=list)
    languages: list[str] = dataclass_field(default_factory=list)
    locations: list[LocationDraft] = dataclass_field(default_factory=list)
    phones: list[str] = dataclass_field(default_factory=list)
    id_hsds: uuid.UUID | None = None
    verified_at: dt.datetime | None = None


class DraftError(ValidationError):
    """`services_create_bulk` refused the draft at `index`."""

    def __init__(self, index: int, error: ValidationError) -> None:
        self.index = index
        super().__init__(error.messages)


@transaction.atomic
def services_create_bulk(
    *, actor: User | None, municipality: Municipality, drafts: Sequence[OfferDraft]
) -> list[Service]:
    """Create many new offers of the municipality at once, each exactly as
    `service_create`, `location_create`, `service_add_location`, `phone_add` and
    `service_confirm_current` would (validated, audited, life phases derived,
    districts located, search documents built), in a constant number of
    statements per table instead of dozens per offer. Raises `DraftError` with
    the draft's index for the first invalid one; nothing is written then."""
    if not drafts:
        return []
    if not LifePhase.objects.for_municipality(municipality).exists():
        life_phases_ensure_defaults(municipality, actor=actor)
    for draft in drafts:
        check_fields(draft.fields, SERVICE_FIELDS)
        check_same_municipality(municipality, draft.organization, *draft.terms)
    locator = geo.district_locator(municipality)
    phases = list(LifePhase.objects.for_municipality(municipality))
    tree = _district_tree([municipality.pk])
    offers, locations, location_owner, keys = [], [], [], []
    # (instances as the constructor makes them, at a fraction of its cost; new
    # HSDS ids come from the makers' pools of random bytes)
    make_offer = bulk.RowMaker(Service, municipality=municipality)
    make_location = bulk.RowMaker(Location, municipality=municipality)
    for index, draft in enumerate(drafts):
        offer = make_offer(
            organization=draft.organization,
            name=draft.name,
            status=draft.status,
            last_verified_at=draft.verified_at,
            last_verified_by=actor if draft.verified_at else None,
            **draft.fields,
        )
        if draft.id_hsds:
            offer.id_hsds = draft.id_hsds
        _check(offer, index)
        places = []
        for location_draft in draft.locations:
            check_fields(location_draft.fields, LOCATION_FIELDS - {"organization", "district"})
            check_same_municipality(municipality, *location_draft.accessibility)
            location = make_location(
                organization=draft.organization,
                **location_draft.fields,
            )
            _check(location, index)
            places.append(location)
            location_owner.append(index)
        locations += places
        offers.append(offer)
    # the districts of all places with coordinates, in one query of the tree
    located = [p for p in locations if p.latitude is not None and p.longitude is not None]
    points = [(float(p.latitude), float(p.longitude)) for p in located]
    for location, district_id in zip(located, locator.locate_many(points), strict=True):
        location.district_id = district_id
    start = 0
    for offer, draft in zip(offers, drafts, strict=True):
        places = locations[start : start + len(draft.locations)]
        start += len(places)
        # The search document goes in with the row: no reindex after the insert.
        document, offer_keys = _draft_document(offer, draft, places, phases, tree)
        offer.search_name, offer.search_body, offer.search_filters, offer.sort_name = document
        keys.append(offer_keys)
    offers = audited_bulk_create(offers, actor=actor, validate=False)  # checked above
    m = municipality.pk
    term_rows: list[dict[str, Any]] = []
    languages, language_owner, phones, phone_owner = [], [], [], []
    for index, (offer, draft) in enumerate(zip(offers, drafts, strict=True)):
        s = offer.pk
        term_rows += [
            {"municipality_id": m, "service_id": s, "term_id": pk}
            for pk in dict.fromkeys(t.pk for t in draft.terms)  # each term once
        ]
        for code in _language_codes(draft.languages):
            languages.append({"municipality_id": m, "service_id": s, "code": code})
            language_owner.append(index)
        for number in draft.phones:
            phones.append({"municipality_id": m, "service_id": s, "number": number})
            phone_owner.append(index)
    audited_insert(ServiceTerm, term_rows, actor=actor)
    services_derive_life_phases(actor=actor, services=offers, new=True)
    _insert_checked(Language, languages, actor=actor, owner=language_owner)
    _insert_checked(Phone, phones, actor=actor, owner=phone_owner)
    locations = audited_bulk_create(locations, actor=actor, validate=False)
    feature_rows, link_rows = [], []
    drafted = [location for draft in drafts for location in draft.locations]
    for location, location_draft, index in zip(locations, drafted, location_owner, strict=True):
        feature_rows += [
            {"municipality_id": m, "location_id": location.pk, "term_id": pk}
            for pk in dict.fromkeys(term.pk for term in location_draft.accessibility)
        ]
        link_rows.append(
            {"municipality_id": m, "service_id": offers[index].pk, "location_id": location.pk}
        )
    audited_insert(LocationFeature, feature_rows, actor=actor)
    audited_insert(ServiceAtLocation, link_rows, actor=actor)
    _write_facets(
        {offer.pk: m for offer in offers},
        {offer.pk: offer_keys for offer, offer_keys in zip(offers, keys, strict=True)},
        new=True,
    )
    return offers


def _language_codes(codes: Iterable[str]) -> list[str]:
    return sorted({code.strip().lower() for code in codes if code.strip()})


def _draft_document(
    offer: Service,
    draft: OfferDraft,
    places: list[Location],
    phases: list[LifePhase],
    tree: _DistrictTree,
) -> tuple[SearchDocument, set[str]]:
    """The search document and facet keys of a new offer, from what the draft
    holds: the same inputs `_reindex_chunk` reads back from the database for
    an offer so created (a test keeps the two equal)."""
    terms = sorted({term.pk: term for term in draft.terms}.values(), key=lambda term: term.pk)
    keys = {search.facet_key("fa", term.code) for term in terms}
    keys |= {search.facet_key("lp", phase.code) for phase in phases if _overlaps(offer, phase)}
    keys |= {search.facet_key("la", code) for code in _language_codes(draft.languages)}
    words = []
    for location, location_draft in zip(places, draft.locations, strict=True):
        district = location.district_id
        parts = [location.name, location.address_1, location.postal_code, location.city]
        words.append(" ".join(filter(None, [*parts, tree.place_words(district)])))
        if district:
            keys |= tree.place_keys(district)
        keys |= {search.facet_key("ac", term.code) for term in location_draft.accessibility}
    if offer.is_free:
        keys.add(search.facet_key("free"))
    indexed = _Indexed(
        municipality_id=offer.municipality.pk,
        programme_id=offer.municipality.programme_id,
        status=offer.status,
        name=offer.name,
        alternate_name=offer.alternate_name,
        description=offer.description,
        eligibility_description=offer.eligibility_description,
        organization_name=draft.organization.name,
        organization_alternate_name=draft.organization.alternate_name,
        min_age_months=offer.min_age_months,
        max_age_months=offer.max_age_months,
        is_free=offer.is_free,
    )
    return _search_document(indexed, [term.name for term in terms], words, keys), keys


def _insert_checked(
    model: type[Any], rows: list[dict[str, Any]], *, actor: User | None, owner: list[int]
) -> None:
    try:
        audited_insert_checked(model, rows, actor=actor)
    except BulkValidationError as error:
        raise DraftError(owner[error.index], error) from error


def _check(instance: Service | Location, index: int) -> None:
    """Check a new row of draft `index` as `audited_bulk_create` would, before its
    values go into the search document (the check converts them, e.g. "3" → 3)."""
    try:
        clean_fields_quickly(instance)
        instance.clean()
    except ValidationError as error:
        raise DraftError(index, error) from error


@transaction.atomic
def service_update(
    *,
    actor: User | None,
    service: Service,
    organization: Organization | None = None,
    terms: Iterable[TaxonomyTerm] | None = None,
    transitions: Iterable[Transition] | None = None,
    languages: Iterable[str] | None = None,
    reason: str = "",
    **fields: Any,
) -> Service:
    """Change an offer's fields; related sets are replaced only when given."""
    check_fields(fields, SERVICE_FIELDS)
    if organization is not None:
        check_same_municipality(service.municipality, organization)
        service.organization = organization
    for key, value in fields.items():
        setattr(service, key, value)
    audited_save(service, actor=actor, reason=reason)
    if terms is not None:
        _set_terms(service, terms, actor=actor)
    if transitions is not None:
        transitions = list(transitions)
        check_same_municipality(service.municipality, *transitions)
        service.transitions.set(transitions)
    if languages is not None:
        _set_languages(service, languages, actor=actor)
    _derive_life_phases(service, actor=actor)
    service_reindex(service=service)
    return service


def _set_status(service: Service, status: str, *, actor: User | None, reason: str) -> Service:
    if service.status != status:
        service.status = status
        audited_save(service, actor=actor, reason=reason)
        service_reindex(service=service)
    return service


@transaction.atomic
def service_set_status(
    *, actor: User | None, service: Service, status: str, reason: str = ""
) -> Service:
    """Move an offer to any status of the workflow (draft, published, archived)."""
    if status not in ServiceStatus.values:
        raise ValidationError(_("Unknown status “%(status)s”.") % {"status": status})
    return _set_status(service, status, actor=actor, reason=reason or status)


@transaction.atomic
def service_publish(*, actor: User | None, service: Service) -> Service:
    """Make an offer public (draft or archived → published)."""
    return _set_status(service, ServiceStatus.PUBLISHED, actor=actor, reason="published")


@transaction.atomic
def service_archive(*, actor: User | None, service: Service) -> Service:
    """Take an offer out of the public guide but keep it (→ archived)."""
    return _set_status(service, ServiceStatus.ARCHIVED, actor=actor, reason="archived")


@transaction.atomic
def service_unpublish(*, actor: User | None, service: Service) -> Service:
    """Back to draft."""
    return _set_status(service, ServiceStatus.DRAFT, actor=actor, reason="unpublished")


@transaction.atomic
def service_confirm_current(
    *, actor: User | None, service: Service, when: dt.datetime | None = None
) -> Service:
    """Record that `actor` checked the offer and it is still current (freshness)."""
    service.last_verified_at = when or timezone.now()
    service.last_verified_by = actor
    audited_save(service, actor=actor, reason="confirmed current")
    return service


@transaction.atomic
def service_delete(*, actor: User | None, service: Service) -> None:
    """Delete an offer with everything that belongs to it only."""
    audited_delete(service, actor=actor)


# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------

LOCATION_FIELDS = {
    "organization",
    "location_type",
    "name",
    "alternate_name",
    "description",
    "transportation",
    "url",
    "address_1",
    "address_2",
    "postal_code",
    "city",
    "state_province",
    "country",
    "latitude",
    "longitude",
    "district",
    "accessibility_description",
}


def district_for_point(
    municipality: Municipality, latitude: Decimal | float, longitude: Decimal | float
) -> District | None:
    """The municipality's district whose boundary contains the point (WGS84), the
    most specific one when districts nest; None without boundaries or match."""
    return geo.district_for_point(municipality, float(latitude), float(longitude))


def district_refiner(municipality: Municipality) -> Callable[[Location], int | None]:
    """For a place of the municipality, the district it should have: the most
    specific district its coordinates lie in when it has none or a larger one
    containing that (e.g. a Stadtbezirk, imported before its Stadtteile);
    otherwise, and without coordinates, its own."""
    locator = geo.district_locator(municipality)
    parent_of = dict(District.objects.for_municipality(municipality).values_list("pk", "parent_id"))

    def ancestors(district_id: int) -> set[int]:
        found: set[int] = set()
        current = parent_of.get(district_id)
        while current is not None and current not in found:
            found.add(current)
            current = parent_of.get(current)
        return found

    def refined(location: Location) -> int | None:
        if location.latitude is None or location.longitude is None or not locator.district_ids:
            return location.district_id
        district_id = locator.locate(float(location.latitude), float(location.longitude))
        if district_id is None or district_id == location.district_id:
            return location.district_id
        if location.district_id is not None and location.district_id not in ancestors(district_id):
            return location.district_id
        return district_id

    return refined


@transaction.atomic
def locations_assign_districts(*, actor: User | None, municipality: Municipality) -> int:
    """Give every located place of the municipality the most specific district its
    coordinates lie in (after district boundaries were imported or changed), and
    rebuild the search documents of the offers there. A place without a district
    gets one; a place in a larger district (e.g. a Stadtbezirk, imported before its
    Stadtteile) is refined to the part containing it; any other district set on a
    place is kept (`district_refiner`). Returns how many places got a (more
    specific) district."""
    refined = district_refiner(municipality)
    assigned: list[int] = []
    located = Location.objects.for_municipality(municipality).filter(
        latitude__isnull=False, longitude__isnull=False
    )
    for location in located:
        district_id = refined(location)
        if district_id == location.district_id:
            continue
        location.district_id = district_id
        location._history_user = actor
        location.save(update_fields=["district", "updated_at"])
        assigned.append(location.pk)
    if assigned:
        offers = Service.objects.for_municipality(municipality).filter(
            service_at_locations__location__in=assigned
        )
        services_reindex(service_ids=offers.values_list("pk", flat=True).distinct())
    return len(assigned)


@transaction.atomic
def district_unlink(*, actor: User | None, municipality: Municipality, district: District) -> None:
    """Before `district` is deleted (monitoring): remove the offers' service areas
    in it and take it from the places in it, each with a history record naming
    `actor` (the database would delete the areas and clear the places without
    one). Afterwards `locations_assign_districts` gives those places the district
    their coordinates lie in, and `directory_reindex` the offers' search documents."""
    check_same_municipality(municipality, district)
    for area in ServiceArea.objects.for_municipality(municipality).filter(district=district):
        audited_delete(area, actor=actor)
    for location in Location.objects.for_municipality(municipality).filter(district=district):
        location.district = None
        location._history_user = actor
        location.save(update_fields=["district", "updated_at"])


def _assign_district(location: Location, *, explicit: bool) -> None:
    if explicit or location.latitude is None or location.longitude is None:
        return
    # The district's id from the cached locator, without fetching the District.
    location.district_id = geo.district_locator(location.municipality).locate(
        float(location.latitude), float(location.longitude)
    )


def _set_features(location: Location, terms: Iterable[TaxonomyTerm], *, actor: User | None) -> None:
    wanted = {term.pk: term for term in terms}
    for term in wanted.values():
        check_same_municipality(location.municipality, term)
    for link in location.feature_links.all():
        if link.term_id not in wanted:
            audited_delete(link, actor=actor)
        else:
            del wanted[link.term_id]
    for term in wanted.values():
        audited_save(
            LocationFeature(municipality=location.municipality, location=location, term=term),
            actor=actor,
        )


def _services_at(location: Location) -> list[Service]:
    return list(Service.objects.filter(service_at_locations__location=location).distinct())


@transaction.atomic
def location_create(
    *,
    actor: User | None,
    municipality: Municipality,
    accessibility: Iterable[TaxonomyTerm] = (),
    **fields: Any,
) -> Location:
    """Create a location. Without an explicit `district`, the district is found from
    the coordinates in the municipality's district boundaries (when it has any)."""
    check_fields(fields, LOCATION_FIELDS)
    location = Location(municipality=municipality, **fields)
    check_same_municipality(municipality, location.organization, location.district)
    _assign_district(location, explicit=fields.get("district") is not None)
    audited_save(location, actor=actor)
    _set_features(location, accessibility, actor=actor)
    return location


@transaction.atomic
def location_update(
    *,
    actor: User | None,
    location: Location,
    accessibility: Iterable[TaxonomyTerm] | None = None,
    **fields: Any,
) -> Location:
    """Change a location; moved coordinates re-assign its district unless a district
    is given. The offers held there are re-indexed."""
    check_fields(fields, LOCATION_FIELDS)
    for key, value in fields.items():
        setattr(location, key, value)
    check_same_municipality(location.municipality, location.organization, location.district)
    moved = "latitude" in fields or "longitude" in fields
    if moved:
        _assign_district(location, explicit=fields.get("district") is not None)
    audited_save(location, actor=actor)
    if accessibility is not None:
        _set_features(location, accessibility, actor=actor)
    for service in _services_at(location):
        service_reindex(service=service)
    return location


@transaction.atomic
def service_add_location(
    *, actor: User | None, service: Service, location: Location, description: str = ""
) -> ServiceAtLocation:
    """Offer `service` at `location` (idempotent)."""
    check_same_municipality(service.municipality, location)
    link = ServiceAtLocation.objects.filter(service=service, location=location).first()
    if link is None or link.description != description:
        link = link or ServiceAtLocation(
            municipality=service.municipality, service=service, location=location
        )
        link.description = description
        audited_save(link, actor=actor)
    service_reindex(service=service)
    return link


@transaction.atomic
def service_remove_location(*, actor: User | None, service_at_location: ServiceAtLocation) -> None:
    service = service_at_location.service
    audited_delete(service_at_location, actor=actor)
    service_reindex(service=service)


# ---------------------------------------------------------------------------
# Schedules, phones, contacts, costs, areas
# ---------------------------------------------------------------------------


def _owner_services(
    service: Service | None, location: Location | None, sal: ServiceAtLocation | None
) -> list[Service]:
    if service is not None:
        return [service]
    if sal is not None:
        return [sal.service]
    return _services_at(location) if location is not None else []


def _owner_municipality(*owners: Any) -> Municipality:
    for owner in owners:
        if owner is not None:
            return owner.municipality
    raise ValueError("a schedule, phone or contact needs an owner")


@transaction.atomic
def schedule_add(
    *,
    actor: User | None,
    service: Service | None = None,
    location: Location | None = None,
    service_at_location: ServiceAtLocation | None = None,
    kind: str = ScheduleKind.REGULAR,
    weekday: int | None = None,
    opens_at: dt.time | None = None,
    closes_at: dt.time | None = None,
    dtstart: dt.date | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    description: str = "",
    notes: str = "",
) -> Schedule:
    """Add weekly opening hours (`weekday` 1–7 with times) or a dated session
    (`kind="session"`, `dtstart`) to a service, location or service at a location."""
    municipality = _owner_municipality(service, location, service_at_location)
    check_same_municipality(municipality, service, location, service_at_location)
    schedule = Schedule(
        municipality=municipality,
        service=service,
        location=location,
        service_at_location=service_at_location,
        kind=kind,
        weekday=weekday,
        opens_at=opens_at,
        closes_at=closes_at,
        dtstart=dtstart,
        valid_from=valid_from,
        valid_to=valid_to,
        description=description,
        notes=notes,
    )
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The end must be after the start.")})
    audited_save(schedule, actor=actor)
    for owner in _owner_services(service, location, service_at_location):
        service_reindex(service=owner)
    return schedule


@transaction.atomic
def schedule_delete(*, actor: User | None, schedule: Schedule) -> None:
    owners = _owner_services(schedule.service, schedule.location, schedule.service_at_location)
    audited_delete(schedule, actor=actor)
    for owner in owners:
        service_reindex(service=owner)


@transaction.atomic
def phone_add(
    *,
    actor: User | None,
    number: str,
    organization: Organization | None = None,
    service: Service | None = None,
    location: Location | None = None,
    contact: Contact | None = None,
    **fields: Any,
) -> Phone:
    check_fields(fields, {"extension", "type", "description"})
    municipality = _owner_municipality(organization, service, location, contact)
    check_same_municipality(municipality, organization, service, location, contact)
    phone = Phone(
        municipality=municipality,
        organization=organization,
        service=service,
        location=location,
        contact=contact,
        number=number,
        **fields,
    )
    audited_save(phone, actor=actor)
    return phone


@transaction.atomic
def phone_delete(*, actor: User | None, phone: Phone) -> None:
    audited_delete(phone, actor=actor)


@transaction.atomic
def contact_add(
    *,
    actor: User | None,
    organization: Organization | None = None,
    service: Service | None = None,
    location: Location | None = None,
    **fields: Any,
) -> Contact:
    """A professional contact (name, title, department, email) of an organisation,
    service or location."""
    check_fields(fields, {"name", "title", "department", "email"})
    municipality = _owner_municipality(organization, service, location)
    check_same_municipality(municipality, organization, service, location)
    contact = Contact(
        municipality=municipality,
        organization=organization,
        service=service,
        location=location,
        **fields,
    )
    audited_save(contact, actor=actor)
    return contact


@transaction.atomic
def cost_option_add(*, actor: User | None, service: Service, **fields: Any) -> CostOption:
    check_fields(
        fields, {"option", "amount", "currency", "amount_description", "valid_from", "valid_to"}
    )
    cost = CostOption(municipality=service.municipality, service=service, **fields)
    audited_save(cost, actor=actor)
    return cost


@transaction.atomic
def service_set_areas(
    *, actor: User | None, service: Service, districts: Sequence[District] | None
) -> list[ServiceArea]:
    """Set where an offer is meant for: the given districts, or the whole
    municipality when `districts` is None."""
    wanted: dict[int | None, District | None]
    if districts is None:
        wanted = {None: None}
    else:
        check_same_municipality(service.municipality, *districts)
        wanted = {d.pk: d for d in districts}
    for area in service.service_areas.all():
        if area.district_id in wanted:
            del wanted[area.district_id]
        else:
            audited_delete(area, actor=actor)
    for district in wanted.values():
        audited_save(
            ServiceArea(municipality=service.municipality, service=service, district=district),
            actor=actor,
        )
    service_reindex(service=service)
    return list(service.service_areas.all())


# ---------------------------------------------------------------------------
# The search document
# ---------------------------------------------------------------------------


def directory_reindex(*, municipality: Municipality | None = None) -> int:
    """Rebuild the search documents of every offer (of one municipality); for bulk
    writes that bypass the services (imports) and after changes of vocabulary.
    Returns the number of offers indexed."""
    queryset = Service.objects.order_by("pk")
    if municipality is not None:
        queryset = queryset.filter(municipality=municipality)
    ids = list(queryset.values_list("pk", flat=True))
    services_reindex(service_ids=ids)
    return len(ids)


def directory_reindex_ended_hours(*, municipality: Municipality | None = None) -> int:
    """Reindex the offers with weekly hours that have ended (valid to before
    today: they no longer count for the weekday filter). Run daily; an offer
    whose document and keys are already current is not written again. Returns
    the number of offers looked at."""
    schedules: QuerySet[Schedule] = (
        Schedule.objects.all()
        if municipality is None
        else Schedule.objects.for_municipality(municipality)
    )
    ended = schedules.filter(
        kind=ScheduleKind.REGULAR, weekday__isnull=False, valid_to__lt=timezone.localdate()
    )
    owners = list(ended.values_list("service_id", "service_at_location_id", "location_id"))
    ids = {service_id for service_id, _link, _place in owners if service_id}
    links = {link for _service, link, _place in owners if link}
    places = {place for _service, _link, place in owners if place}
    if links or places:
        ids.update(
            ServiceAtLocation.objects.filter(
                Q(pk__any=list(links)) | Q(location_id__any=list(places))
            ).values_list("service_id", flat=True)
        )
    services_reindex(service_ids=ids)
    return len(ids)


def service_reindex(*, service: Service) -> None:
    """Rebuild the offer's search document, filter tokens and facet keys from its
    current data (status, ages, terms, life phases, locations, languages,
    schedules, areas). Writes no history (derived data only)."""
    documents = services_reindex(service_ids=[service.pk])
    (
        service.search_name,
        service.search_body,
        service.search_filters,
        service.sort_name,
    ) = documents[service.pk]


REINDEX_CHUNK = 2000  # offers; at 500, reindexing 5,000 took 0.66 s CPU instead of 0.53


def services_reindex(*, service_ids: Iterable[int]) -> dict[int, SearchDocument]:
    """`service_reindex` for many offers at once: a constant number of queries per
    chunk of `REINDEX_CHUNK` offers, whatever their number of terms, locations or schedules.
    Returns each offer's document (the values of SEARCH_COLUMNS)."""
    ids = sorted(set(service_ids))
    documents: dict[int, SearchDocument] = {}
    for start in range(0, len(ids), REINDEX_CHUNK):
        documents |= _reindex_chunk(ids[start : start + REINDEX_CHUNK])
    return documents


# The columns of an offer's search document (see kette.directory.search) and
# its key for sorting by name, which the reindex keeps current with them.
SEARCH_COLUMNS = ("search_name", "search_body", "search_filters", "sort_name")
# (search_name, search_body, search_filters, sort_name)
SearchDocument = tuple[str, str, str, str]


def _reindex_chunk(ids: list[int]) -> dict[int, SearchDocument]:
    # a set: Django walks a list's values one by one (for expressions in them)
    chunk = set(ids)
    offers: dict[int, _Indexed] = {}
    stored: dict[int, tuple[Any, ...]] = {}
    width = len(SEARCH_COLUMNS)
    for pk, *values in Service.objects.filter(pk__any=chunk).values_list(
        "pk",
        *SEARCH_COLUMNS,
        *(_INDEXED_COLUMNS.get(name, name) for name in _Indexed._fields),
    ):
        offers[pk] = _Indexed(*values[width:])
        stored[pk] = tuple(values[:width])
    term_names: dict[int, list[str]] = defaultdict(list)
    keys: dict[int, set[str]] = defaultdict(set)
    for service_id, code, name in (
        ServiceTerm.objects.filter(service_id__any=chunk)
        .order_by("term_id")
        .values_list("service_id", "term__code", "term__name")
    ):
        term_names[service_id].append(name)
        keys[service_id].add(search.facet_key("fa", code))
    for service_id, code in ServiceLifePhase.objects.filter(
        service_id__any=chunk, mode__in=[LifePhaseMode.DERIVED, LifePhaseMode.ADDED]
    ).values_list("service_id", "life_phase__code"):
        keys[service_id].add(search.facet_key("lp", code))
    tree = _district_tree({service.municipality_id for service in offers.values()})
    places: dict[int, list[str]] = defaultdict(list)  # offer → its locations' words
    services_at: dict[int, set[int]] = defaultdict(set)  # location → offers
    link_owner: dict[int, int] = {}  # service at location → offer
    for link_id, service_id, location_id, district_id, *words in (
        ServiceAtLocation.objects.filter(service_id__any=chunk)
        .order_by("location_id")
        .values_list(
            "pk",
            "service_id",
            "location_id",
            "location__district_id",
            "location__name",
            "location__address_1",
            "location__postal_code",
            "location__city",
        )
    ):
        link_owner[link_id] = service_id
        places[service_id].append(" ".join(filter(None, [*words, tree.place_words(district_id)])))
        services_at[location_id].add(service_id)
        if district_id:
            keys[service_id] |= tree.place_keys(district_id)
    for service_id, district_id in ServiceArea.objects.filter(
        service_id__any=chunk, district__isnull=False
    ).values_list("service_id", "district_id"):
        keys[service_id] |= tree.area_keys(district_id)
    for service_id, code in Language.objects.filter(service_id__any=chunk).values_list(
        "service_id", "code"
    ):
        keys[service_id].add(search.facet_key("la", code))
    for location_id, code in LocationFeature.objects.filter(
        location_id__any=services_at
    ).values_list("location_id", "term__code"):
        for service_id in services_at[location_id]:
            keys[service_id].add(search.facet_key("ac", code))
    # Weekly hours that ended (valid to before today) no longer open the offer
    # on their day; `directory_reindex_ended_hours` follows the calendar daily.
    for service_id, link_id, location_id, weekday in Schedule.objects.filter(
        Q(service_id__any=chunk)
        | Q(service_at_location_id__any=link_owner)
        | Q(location_id__any=services_at),
        Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()),
        kind=ScheduleKind.REGULAR,
        weekday__isnull=False,
    ).values_list("service_id", "service_at_location_id", "location_id", "weekday"):
        owners = {service_id, link_owner.get(link_id), *services_at.get(location_id, ())}
        for owner in owners & chunk:
            keys[owner].add(search.facet_key("wd", weekday))

    documents: dict[int, SearchDocument] = {}
    for pk, service in offers.items():
        mine = keys[pk]
        if service.is_free:
            mine.add(search.facet_key("free"))
        documents[pk] = _search_document(service, term_names[pk], places[pk], mine)
    # An unchanged document is not written again (the full-text index would
    # drop and re-add all its tokens).
    _write_documents({pk: doc for pk, doc in documents.items() if doc != stored[pk]})
    _write_facets({pk: service.municipality_id for pk, service in offers.items()}, keys)
    return documents


class _DistrictTree(NamedTuple):
    """Where districts nest (a Stadtbezirk contains Stadtteile): each district's
    ancestors and descendants (ids), for the district filter keys of offers."""

    ancestors: dict[int, tuple[int, ...]]
    descendants: dict[int, tuple[int, ...]]
    names: dict[int, str]

    def place_words(self, district_id: int | None) -> str:
        """The names of a place's district and the districts above it, for the
        search document: "Kita Porz" finds a place in Eil (Stadtbezirk Porz)."""
        if not district_id:
            return ""
        ids = (district_id, *self.ancestors.get(district_id, ()))
        return " ".join(dict.fromkeys(self.names[pk] for pk in ids if pk in self.names))

    def place_keys(self, district_id: int) -> set[str]:
        """The district keys of a place in the district: a place in a Stadtteil
        is also in its Stadtbezirk (and so on up)."""
        return {
            search.facet_key("d", pk) for pk in (district_id, *self.ancestors.get(district_id, ()))
        }

    def area_keys(self, district_id: int) -> set[str]:
        """The district keys of an offer meant for the district (a service area):
        its ancestors as for a place, and every part of it (an offer for a whole
        Stadtbezirk is for each of its Stadtteile)."""
        return self.place_keys(district_id) | {
            search.facet_key("d", pk) for pk in self.descendants.get(district_id, ())
        }


def _district_tree(municipality_ids: Iterable[int]) -> _DistrictTree:
    """The nesting of the districts of the municipalities (one query)."""
    rows = District.objects.filter(municipality_id__in=list(municipality_ids)).values_list(
        "pk", "parent_id", "name"
    )
    parent_of, names = {}, {}
    for pk, parent_id, name in rows:
        parent_of[pk], names[pk] = parent_id, name
    ancestors: dict[int, tuple[int, ...]] = {}
    descendants: dict[int, list[int]] = defaultdict(list)
    for district_id in parent_of:
        chain: list[int] = []
        current = parent_of.get(district_id)
        while current is not None and current != district_id and current not in chain:
            chain.append(current)
            descendants[current].append(district_id)
            current = parent_of.get(current)
        ancestors[district_id] = tuple(chain)
    return _DistrictTree(ancestors, {pk: tuple(parts) for pk, parts in descendants.items()}, names)


class _Indexed(NamedTuple):
    """What an offer's search document is built from (read as plain values: the
    reindex of a bulk import reads tens of thousands)."""

    municipality_id: int
    programme_id: int
    status: str
    name: str
    alternate_name: str
    description: str
    eligibility_description: str
    organization_name: str
    organization_alternate_name: str
    min_age_months: int | None
    max_age_months: int | None
    is_free: bool


_INDEXED_COLUMNS = {
    "programme_id": "municipality__programme_id",
    "organization_name": "organization__name",
    "organization_alternate_name": "organization__alternate_name",
}


def _search_document(
    service: _Indexed, term_names: list[str], places: list[str], keys: set[str]
) -> SearchDocument:
    name, body = search.document_columns(
        (service.name, service.alternate_name),
        (
            service.description,
            service.eligibility_description,
            service.organization_name,
            service.organization_alternate_name,
            " ".join(term_names),
            *places,
        ),
    )
    filters = search.filter_text(
        keys
        | set(search.age_keys(service.min_age_months, service.max_age_months))
        | set(
            search.scope_keys(
                municipality_id=service.municipality_id,
                programme_id=service.programme_id,
                status=service.status,
            )
        )
    )
    return name, body, filters, search.sort_key(service.name)


def _write_documents(documents: dict[int, SearchDocument]) -> None:
    """The new documents written with as few statements as possible (the
    full-text index follows by trigger on SQLite and by generated column on
    PostgreSQL; see `bulk.update_columns` for why not one statement per row)."""
    bulk.update_columns(Service, SEARCH_COLUMNS, documents)


def _write_facets(
    municipalities: dict[int, int], keys: dict[int, set[str]], *, new: bool = False
) -> None:
    """Make `keys` the facet keys of each offer (`new`: offers just created, which
    have none yet)."""
    existing: dict[int, dict[str, int]] = defaultdict(dict)
    if not new:
        for pk, service_id, key in ServiceFacet.objects.filter(
            service_id__any=municipalities
        ).values_list("pk", "service_id", "key"):
            existing[service_id][key] = pk
    stale = [
        pk
        for service_id, have in existing.items()
        for key, pk in have.items()
        if key not in keys[service_id]
    ]
    if stale:
        ServiceFacet.objects.filter(pk__any=stale).delete()
    added = {
        service_id: sorted(keys[service_id] - set(existing[service_id]))
        for service_id in municipalities
    }
    bulk.insert_rows(
        ServiceFacet,
        [
            {"municipality_id": municipalities[service_id], "service_id": service_id, "key": key}
            for service_id, new_keys in added.items()
            for key in new_keys
        ],
        returning=False,
    )
    # Processes with an in-memory index of the facets update it.
    changed: dict[int, list[int]] = defaultdict(list)
    for service_id, municipality_id in municipalities.items():
        if added[service_id] or set(existing[service_id]) - keys[service_id]:
            changed[municipality_id].append(service_id)
    facets.touch(changed)
