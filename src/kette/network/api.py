"""JSON API of the network app: the measures of the network and steering structure.

Internal data: the caller needs the `network.read_structure` permission for the
municipality (session login), or `network.compare_municipalities` (programme
roles) for the comparison across municipalities. No person's name or contact
details appear.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from kette.core.api import municipality_for
from kette.core.models import Municipality
from kette.core.selectors import default_programme
from kette.network import analytics, selectors

router = Router(tags=["Netzwerk"])


def _municipality(request: HttpRequest, slug: str) -> Municipality:
    return municipality_for(request, slug, "network.read_structure")


class NetworkQuery(Schema):
    stichtag: dt.date | None = None
    art: list[str] = []
    sektor: list[int] = []
    gremium: int | None = None


class NodeOut(Schema):
    id: int
    name: str
    sector: str | None
    degree: int
    betweenness: float
    community: int
    articulation_point: bool


class SectorEIOut(Schema):
    sector: str
    external: int
    internal: int
    ei_index: float | None


class NetworkOut(Schema):
    day: dt.date
    nodes: int
    edges: int
    density: float
    components: int
    isolates: list[int]
    betweenness_sampled: bool = Field(
        description="True when betweenness was estimated from a fixed sample of source "
        "organisations (networks of more than 1,000 organisations)"
    )
    articulation_points: list[int]
    communities: list[list[int]]
    ei_index: float | None
    ei_by_sector: list[SectorEIOut]
    organizations: list[NodeOut]
    findings: list[str]


@router.get(
    "/k/{municipality_slug}/netzwerk/kennzahlen",
    response=NetworkOut,
    summary="Measures of the cooperation network on a day",
)
def network_measures(  # type: ignore[no-untyped-def]
    request, municipality_slug: str, filters: Query[NetworkQuery]
):
    municipality = _municipality(request, municipality_slug)
    day = filters.stichtag or timezone.localdate()
    analysis = analytics.analyse_network(
        municipality,
        analytics.NetworkFilter(
            day=day, kinds=filters.art, sector_ids=filters.sektor, body_id=filters.gremium
        ),
    )
    m = analysis.measures
    community_of = m.community_of
    articulation = set(m.articulation_points)
    return {
        "day": day,
        "nodes": m.nodes,
        "edges": m.edges,
        "density": m.density,
        "components": len(m.components),
        "isolates": m.isolates,
        "betweenness_sampled": m.betweenness_sampled,
        "articulation_points": m.articulation_points,
        "communities": [sorted(c) for c in m.communities],
        "ei_index": m.ei_overall.value,
        "ei_by_sector": [
            {
                "sector": analysis.sectors[pk].name,
                "external": v.external,
                "internal": v.internal,
                "ei_index": v.value,
            }
            for pk, v in m.ei_by_sector.items()
            if pk in analysis.sectors
        ],
        "organizations": [
            {
                "id": pk,
                "name": org.name,
                "sector": s.name if (s := selectors.sector_of(org)) else None,
                "degree": m.degree.get(pk, 0),
                "betweenness": m.betweenness.get(pk, 0.0),
                "community": community_of.get(pk, 0) + 1,
                "articulation_point": pk in articulation,
            }
            for pk, org in sorted(analysis.organizations.items())
        ],
        "findings": analysis.findings,
    }


class BodyQualityOut(Schema):
    id: int
    name: str
    kind: str
    parent: int | None
    members: int
    intersectorality: float | None = Field(
        description="Normalised Blau index over the members' sectors (0..1); null when no "
        "member's sector is known"
    )
    blau_index: float
    sectors_present: list[str]
    core_sectors_missing: list[str]
    high_rank: float | None
    life_phase_share: float | None
    field_of_action_share: float | None


@router.get(
    "/k/{municipality_slug}/netzwerk/gremien",
    response=list[BodyQualityOut],
    summary="Steering-structure quality of every body on a day",
)
def body_qualities(  # type: ignore[no-untyped-def]
    request, municipality_slug: str, stichtag: dt.date | None = None
):
    municipality = _municipality(request, municipality_slug)
    day = stichtag or timezone.localdate()
    qualities = analytics.steering_quality(municipality, day)
    result = []
    for body in selectors.bodies_of(municipality):
        q = qualities[body.pk]
        result.append(
            {
                "id": body.pk,
                "name": body.name,
                "kind": body.kind,
                "parent": body.parent_id,
                "members": q.members,
                "intersectorality": q.intersectorality,
                "blau_index": q.blau,
                "sectors_present": [s.name for s in q.sectors_present],
                "core_sectors_missing": [s.name for s in q.core_missing],
                "high_rank": q.high_rank,
                "life_phase_share": q.life_phase_share,
                "field_of_action_share": q.field_share,
            }
        )
    return result


class MunicipalityComparisonOut(Schema):
    municipality: str
    slug: str
    official_key: str
    steering_body: str = Field(description="Name of the municipality's top steering group")
    members: int = Field(description="Members of the steering group on the day")
    intersectorality: float | None = Field(
        description="Normalised Blau index over the members' sectors (0..1); null when no "
        "member's sector is known"
    )
    high_rank: float | None = Field(description="Share of members at leadership level")
    core_sectors_missing: list[str]
    organizations: int
    density: float
    components: int
    isolates: int
    brokers: int = Field(description="Organisations with betweenness above zero")
    articulation_points: int
    betweenness_sampled: bool


@router.get(
    "/programm/netzwerke",
    response=list[MunicipalityComparisonOut],
    summary="Steering-group and network measures of every programme municipality",
    description="For the coordination office (programme roles): one entry per programme "
    "municipality that has recorded a steering group, ordered by name. Counts and "
    "shares only, never people.",
)
def programme_comparison(  # type: ignore[no-untyped-def]
    request, stichtag: dt.date | None = None
):
    if not request.user.has_perm("network.compare_municipalities"):
        raise HttpError(403, "Keine Berechtigung")
    programme = default_programme()
    if programme is None:
        return []
    day = stichtag or timezone.localdate()
    rows = analytics.programme_comparison(selectors.steering_bodies_of_programme(programme), day)
    return [
        {
            "municipality": r.municipality.name,
            "slug": r.municipality.slug,
            "official_key": r.municipality.official_key,
            "steering_body": r.steering_body,
            "members": r.members,
            "intersectorality": r.intersectorality,
            "high_rank": r.high_rank,
            "core_sectors_missing": r.core_missing,
            "organizations": r.organizations,
            "density": r.density,
            "components": r.components,
            "isolates": r.isolates,
            "brokers": r.brokers,
            "articulation_points": r.articulation_points,
            "betweenness_sampled": r.betweenness_sampled,
        }
        for r in rows
    ]
