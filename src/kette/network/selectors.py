"""Reads of the network app: every query starts from the municipality."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from kette.core.collation import german
from kette.core.models import Municipality, Programme
from kette.directory.models import (
    LifePhase,
    LifePhaseMode,
    Organization,
    ServiceLifePhase,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)
from kette.network.models import (
    Body,
    BodyKind,
    BodyMembership,
    Cooperation,
    Person,
    Sector,
)


def sectors_of(municipality: Municipality) -> QuerySet[Sector]:
    return Sector.objects.for_municipality(municipality)


def organizations_of(municipality: Municipality) -> QuerySet[Organization]:
    """Every organisation of the municipality with its actor profile and sector."""
    return Organization.objects.for_municipality(municipality).select_related(
        "network_profile__sector"
    )


def actors_of(municipality: Municipality) -> QuerySet[Organization]:
    """The organisations of the actor network: those with an actor profile, a
    cooperation or a seat in a body (at any time, so that two days compare over
    the same organisations), or whose people hold a seat. The directory's other
    providers are not part of the network: counted as nodes without ties, they
    made Köln's demo network of 25 actors one of 239 organisations with a
    density near 0 %."""
    ties = Cooperation.objects.for_municipality(municipality)
    seats = BodyMembership.objects.for_municipality(municipality)
    return organizations_of(municipality).filter(
        Q(network_profile__isnull=False)
        | Q(pk__in=ties.values("organization_a_id"))
        | Q(pk__in=ties.values("organization_b_id"))
        | Q(pk__in=seats.filter(organization__isnull=False).values("organization_id"))
        | Q(
            pk__in=seats.filter(person__organization__isnull=False).values(
                "person__organization_id"
            )
        )
    )


def sector_of(organization: Organization | None) -> Sector | None:
    """The sector recorded for an organisation (None when unknown)."""
    if organization is None:
        return None
    profile = getattr(organization, "network_profile", None)
    return profile.sector if profile is not None else None


def organization_by_name(municipality: Municipality, name: str) -> Organization | None:
    return Organization.objects.for_municipality(municipality).filter(name=name).first()


def people_of(municipality: Municipality) -> QuerySet[Person]:
    return Person.objects.for_municipality(municipality).select_related(
        "organization__network_profile__sector"
    )


def bodies_of(municipality: Municipality) -> QuerySet[Body]:
    return Body.objects.for_municipality(municipality).prefetch_related(
        "life_phases", "fields_of_action"
    )


def memberships_on(municipality: Municipality, day: dt.date) -> QuerySet[BodyMembership]:
    """Memberships active on `day`, with everything needed to place the member."""
    return (
        BodyMembership.objects.active_on(day)
        .for_municipality(municipality)
        .select_related(
            "body",
            "person__organization__network_profile__sector",
            "organization__network_profile__sector",
        )
    )


def memberships_of(municipality: Municipality) -> QuerySet[BodyMembership]:
    """Every membership of the municipality, ended ones included."""
    return BodyMembership.objects.for_municipality(municipality).select_related(
        "body", "person__organization", "organization"
    )


def memberships_of_body(body: Body) -> QuerySet[BodyMembership]:
    """A body's memberships, current and ended, for editing (by role and name)."""
    return (
        BodyMembership.objects.filter(body=body)
        .select_related("body", "person__organization", "organization")
        .order_by("role", "person__name", "organization__name", "pk")
    )


def cooperations_of(municipality: Municipality) -> QuerySet[Cooperation]:
    """Every recorded tie, ended ones included, by the names of the two sides."""
    return (
        Cooperation.objects.for_municipality(municipality)
        .select_related("organization_a", "organization_b")
        .order_by("organization_a__name", "organization_b__name", "kind", "pk")
    )


def cooperations_on(
    municipality: Municipality, day: dt.date, *, kinds: Iterable[str] = ()
) -> QuerySet[Cooperation]:
    """Ties active on `day`, optionally of the given kinds only."""
    ties = Cooperation.objects.active_on(day).for_municipality(municipality)
    kinds = list(kinds)
    if kinds:
        ties = ties.filter(kind__in=kinds)
    return ties.select_related("organization_a", "organization_b")


@dataclass
class BodyNode:
    """A body in the steering-structure tree with its active members."""

    body: Body
    depth: int
    members: list[BodyMembership] = field(default_factory=list)
    children: list[BodyNode] = field(default_factory=list)


def body_tree(municipality: Municipality, day: dt.date) -> list[BodyNode]:
    """The steering structure as a forest of bodies (roots first, by position and name)."""
    bodies = list(
        bodies_of(municipality).prefetch_related(
            Prefetch("memberships", queryset=memberships_on(municipality, day), to_attr="active")
        )
    )
    nodes = {body.pk: BodyNode(body=body, depth=0, members=list(body.active)) for body in bodies}
    roots: list[BodyNode] = []
    for body in bodies:
        node = nodes[body.pk]
        parent = nodes.get(body.parent_id) if body.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)

    def set_depth(node: BodyNode, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    return roots


def flatten(nodes: list[BodyNode]) -> list[BodyNode]:
    """The tree in display order (depth first)."""
    result: list[BodyNode] = []
    for node in nodes:
        result.append(node)
        result.extend(flatten(node.children))
    return result


def life_phases_of(municipality: Municipality) -> QuerySet[LifePhase]:
    return LifePhase.objects.for_municipality(municipality)


def fields_of_action_of(municipality: Municipality) -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.available_to(municipality).filter(
        taxonomy__slug=Taxonomy.FIELDS_OF_ACTION
    )


def organization_expertise(
    municipality: Municipality,
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Per organisation: the life phases and the fields of action of its current
    (non-archived) offers, as id sets."""
    phases: dict[int, set[int]] = {}
    for org_id, phase_id in (
        ServiceLifePhase.objects.for_municipality(municipality)
        .exclude(mode=LifePhaseMode.REMOVED)
        .exclude(service__status=ServiceStatus.ARCHIVED)
        .values_list("service__organization_id", "life_phase_id")
    ):
        phases.setdefault(org_id, set()).add(phase_id)
    terms: dict[int, set[int]] = {}
    for org_id, term_id in (
        ServiceTerm.objects.for_municipality(municipality)
        .filter(term__taxonomy__slug=Taxonomy.FIELDS_OF_ACTION)
        .exclude(service__status=ServiceStatus.ARCHIVED)
        .values_list("service__organization_id", "term_id")
    ):
        terms.setdefault(org_id, set()).add(term_id)
    return phases, terms


def body_for(municipality: Municipality, pk: int) -> Body:
    return Body.objects.for_municipality(municipality).get(pk=pk)


def steering_bodies_of_programme(programme: Programme) -> list[tuple[Municipality, Body]]:
    """Each programme municipality that has a steering group, with its top steering
    group (the first by position and name; one at the top of the tree if there is
    one), ordered by municipality name."""
    bodies = (
        Body.objects.filter(municipality__programme=programme, kind=BodyKind.STEERING_GROUP)
        .select_related("municipality")
        .defer("municipality__boundary")
        .order_by(german("municipality__name"), "parent_id", "position", german("name"))
    )
    chosen: dict[int, Body] = {}
    for body in bodies:
        current = chosen.get(body.municipality_id)
        # Prefer a root steering group over one hanging below another body.
        if current is None or (current.parent_id is not None and body.parent_id is None):
            chosen[body.municipality_id] = body
    return [(body.municipality, body) for body in chosen.values()]
