"""Measures of the steering structure and of the cooperation network (DESIGN §5).

Steering-structure quality, per body, over the members active on a day:

- Intersectorality (Intersektoralität): Blau's index B = 1 − Σ pₛ², where pₛ is
  the share of the body's members (with a known sector) in sector s. It is
  normalised to the index of qualitative variation IQV = B / (1 − 1/K) with
  K = the number of sectors in the municipality's sector set: 1 means the
  members are spread evenly over *all* sectors the municipality distinguishes,
  0 means they all come from one sector. We normalise by the set size rather
  than by the number of sectors present, because dividing by the sectors
  present would give a body of two sectors with equal halves the same score
  (1.0) as one spanning ten; the consequence is that a small body cannot reach
  1 (with n members at most 1 − 1/min(n, K) raw), which is why the raw index,
  the number of sectors present and the core sectors missing are shown too.
  Members whose organisation has no sector are left out of the shares and
  counted separately.
- Core coverage: core sectors present among the members / core sectors of the
  municipality, with the missing ones named.
- High rank (Hochrangigkeit): share of members at leadership level.
- Expertise (Fachlichkeit): the life phases and fields of action covered by the
  current offers of the members' organisations (a person counts through their
  organisation), as shares of the municipality's life phases and of the fields
  of action available to it; the body's own declared life phases and fields
  that no member covers are named.

Network measures on the cooperation ties active on a day (an undirected simple
graph: several ties between the same two organisations become one edge whose
weight is the strongest tie and which lists all kinds): density, connected
components and isolates, degree, betweenness centrality (normalised; the top
brokers; estimated from a fixed sample of source nodes when more than
BETWEENNESS_EXACT_MAX_NODES organisations have ties), articulation points (single
points of failure: removing one splits a component), Louvain communities
(networkx, fixed seed, weighted by strength) and Krackhardt & Stern's E-I
index (E − I)/(E + I) per sector and overall, where E counts ties leaving the
sector and I ties inside it; −1 means a sector that only works within itself,
+1 one that only works with others.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from django.utils.translation import gettext as _

from kette.core.models import Municipality
from kette.directory.models import LifePhase, Organization, TaxonomyTerm
from kette.network import selectors
from kette.network.models import BodyMembership, Level, Sector

LOUVAIN_SEED = 2026
LAYOUT_SEED = 7
# Exact betweenness costs O(n·m): fine for a municipality's network, minutes at the
# DESIGN size (5,000 organisations, 50,000 ties). Above the threshold it is
# estimated from a fixed random sample of source nodes (Brandes & Pich 2007).
BETWEENNESS_EXACT_MAX_NODES = 1000
BETWEENNESS_SAMPLE = 250
BETWEENNESS_SEED = 2026


# ---------------------------------------------------------------------------
# Steering-structure quality
# ---------------------------------------------------------------------------


def blau_index(counts: Iterable[int]) -> float:
    """1 − Σ pᵢ² over the category counts (0 for no or one category)."""
    counts = [c for c in counts if c > 0]
    total = sum(counts)
    if total == 0:
        return 0.0
    return 1.0 - sum((c / total) ** 2 for c in counts)


def normalised_blau(counts: Iterable[int], categories: int) -> float:
    """Blau's index divided by its maximum 1 − 1/K for K categories (IQV)."""
    if categories < 2:
        return 0.0
    return blau_index(counts) / (1.0 - 1.0 / categories)


@dataclass
class BodyQuality:
    members: int
    members_with_sector: int
    sectors_present: list[Sector]
    blau: float
    intersectorality: float | None  # normalised, 0..1; None when no member's sector is known
    core_present: list[Sector]
    core_missing: list[Sector]
    core_coverage: float | None  # None when the municipality has no core sectors
    leadership: int
    high_rank: float | None  # None without members
    life_phases_covered: list[LifePhase]
    life_phase_share: float | None
    fields_covered: list[TaxonomyTerm]
    field_share: float | None
    declared_phases_missing: list[LifePhase]
    declared_fields_missing: list[TaxonomyTerm]
    sector_counts: list[tuple[Sector | None, int]] = field(default_factory=list)


def member_organization(membership: BodyMembership) -> Organization | None:
    if membership.person_id is not None:
        return membership.person.organization if membership.person else None
    return membership.organization


def body_quality(
    memberships: Sequence[BodyMembership],
    *,
    sectors: Sequence[Sector],
    phases_by_org: dict[int, set[int]],
    terms_by_org: dict[int, set[int]],
    life_phases: Sequence[LifePhase],
    fields: Sequence[TaxonomyTerm],
    declared_phase_ids: Iterable[int] = (),
    declared_field_ids: Iterable[int] = (),
) -> BodyQuality:
    """The three qualities of one body from its active memberships (see module doc)."""
    sector_by_member: list[Sector | None] = [
        selectors.sector_of(member_organization(m)) for m in memberships
    ]
    counts = Counter(s.pk for s in sector_by_member if s is not None)
    by_pk = {s.pk: s for s in sectors}
    present = [s for s in sectors if s.pk in counts]
    core = [s for s in sectors if s.is_core]
    core_present = [s for s in core if s.pk in counts]
    core_missing = [s for s in core if s.pk not in counts]
    leadership = sum(1 for m in memberships if m.level == Level.LEADERSHIP)
    org_ids = {org.pk for m in memberships if (org := member_organization(m)) is not None}
    phase_ids = set().union(*(phases_by_org.get(o, set()) for o in org_ids))
    term_ids = set().union(*(terms_by_org.get(o, set()) for o in org_ids))
    sector_counts: list[tuple[Sector | None, int]] = [
        (by_pk[pk], n) for pk, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    unknown = sum(1 for s in sector_by_member if s is None)
    if unknown:
        sector_counts.append((None, unknown))
    return BodyQuality(
        members=len(memberships),
        members_with_sector=sum(counts.values()),
        sectors_present=present,
        blau=blau_index(counts.values()),
        intersectorality=normalised_blau(counts.values(), len(sectors)) if counts else None,
        core_present=core_present,
        core_missing=core_missing,
        core_coverage=len(core_present) / len(core) if core else None,
        leadership=leadership,
        high_rank=leadership / len(memberships) if memberships else None,
        life_phases_covered=[p for p in life_phases if p.pk in phase_ids],
        life_phase_share=(
            len([p for p in life_phases if p.pk in phase_ids]) / len(life_phases)
            if life_phases
            else None
        ),
        fields_covered=[t for t in fields if t.pk in term_ids],
        field_share=(
            len([t for t in fields if t.pk in term_ids]) / len(fields) if fields else None
        ),
        declared_phases_missing=[
            p for p in life_phases if p.pk in set(declared_phase_ids) and p.pk not in phase_ids
        ],
        declared_fields_missing=[
            t for t in fields if t.pk in set(declared_field_ids) and t.pk not in term_ids
        ],
        sector_counts=sector_counts,
    )


def steering_quality(municipality: Municipality, day: dt.date) -> dict[int, BodyQuality]:
    """Quality of every body of the municipality on `day`, keyed by body id (a fixed
    number of queries however many bodies)."""
    sectors = list(selectors.sectors_of(municipality))
    phases_by_org, terms_by_org = selectors.organization_expertise(municipality)
    life_phases = list(selectors.life_phases_of(municipality))
    fields = list(selectors.fields_of_action_of(municipality))
    by_body: dict[int, list[BodyMembership]] = {}
    for membership in selectors.memberships_on(municipality, day):
        by_body.setdefault(membership.body_id, []).append(membership)
    result = {}
    for body in selectors.bodies_of(municipality):
        result[body.pk] = body_quality(
            by_body.get(body.pk, []),
            sectors=sectors,
            phases_by_org=phases_by_org,
            terms_by_org=terms_by_org,
            life_phases=life_phases,
            fields=fields,
            declared_phase_ids=[p.pk for p in body.life_phases.all()],
            declared_field_ids=[t.pk for t in body.fields_of_action.all()],
        )
    return result


# ---------------------------------------------------------------------------
# Network measures
# ---------------------------------------------------------------------------


def build_graph(nodes: dict[int, Any], ties: Iterable[tuple[int, int, str, int]]) -> nx.Graph:
    """An undirected simple graph: `nodes` maps node id → sector key (or None);
    ties are (a, b, kind, strength). Parallel ties merge (strongest weight, all kinds);
    ties to nodes outside `nodes` are dropped (filters)."""
    graph = nx.Graph()
    for node, sector in nodes.items():
        graph.add_node(node, sector=sector)
    for a, b, kind, strength in ties:
        if a not in nodes or b not in nodes or a == b:
            continue
        if graph.has_edge(a, b):
            data = graph[a][b]
            data["weight"] = max(data["weight"], strength)
            data["kinds"] = sorted(set(data["kinds"]) | {kind})
        else:
            graph.add_edge(a, b, weight=strength, kinds=[kind])
    return graph


@dataclass
class EIIndex:
    external: int
    internal: int

    @property
    def value(self) -> float | None:
        total = self.external + self.internal
        return (self.external - self.internal) / total if total else None


def ei_indices(graph: nx.Graph) -> tuple[dict[Any, EIIndex], EIIndex]:
    """Krackhardt E-I index per sector and for the whole network. Edges touching a
    node without a sector are left out."""
    per: dict[Any, EIIndex] = {}
    for _node, sector in graph.nodes(data="sector"):
        if sector is not None:
            per.setdefault(sector, EIIndex(0, 0))
    overall = EIIndex(0, 0)
    for a, b in graph.edges():
        sa, sb = graph.nodes[a]["sector"], graph.nodes[b]["sector"]
        if sa is None or sb is None:
            continue
        if sa == sb:
            per[sa].internal += 1
            overall.internal += 1
        else:
            per[sa].external += 1
            per[sb].external += 1
            overall.external += 1
    return per, overall


@dataclass
class NetworkMeasures:
    nodes: int
    edges: int
    density: float
    components: list[set[int]]
    isolates: list[int]
    degree: dict[int, int]
    betweenness: dict[int, float]
    articulation_points: list[int]
    communities: list[set[int]]
    ei_by_sector: dict[Any, EIIndex]
    ei_overall: EIIndex
    betweenness_sampled: bool = False

    @property
    def brokers(self) -> list[tuple[int, float]]:
        """Nodes with positive betweenness, highest first."""
        ranked = sorted(self.betweenness.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(n, b) for n, b in ranked if b > 0]

    @property
    def community_of(self) -> dict[int, int]:
        return {node: i for i, members in enumerate(self.communities) for node in members}


def betweenness(graph: nx.Graph) -> tuple[dict[int, float], bool]:
    """Normalised betweenness of every node and whether it was estimated.

    Exact while at most BETWEENNESS_EXACT_MAX_NODES organisations have a tie (isolates
    cost nothing and have betweenness 0). Above that it is estimated from
    BETWEENNESS_SAMPLE source nodes drawn with a fixed seed among the organisations
    with ties – so a municipality with many organisations but a small network is
    still measured exactly, and sources are never wasted on isolates – and rescaled
    to the whole graph's normalisation (isolates add no paths, so only the
    normalising factor 2/((n − 1)(n − 2)) differs)."""
    tied = [node for node, degree in graph.degree() if degree > 0]
    if len(tied) <= BETWEENNESS_EXACT_MAX_NODES:
        return nx.betweenness_centrality(graph, normalized=True), False
    core = graph if len(tied) == graph.number_of_nodes() else graph.subgraph(tied).copy()
    estimate = nx.betweenness_centrality(
        core, k=BETWEENNESS_SAMPLE, normalized=True, seed=BETWEENNESS_SEED
    )
    n, m = graph.number_of_nodes(), core.number_of_nodes()
    scale = (m - 1) * (m - 2) / ((n - 1) * (n - 2))
    result = dict.fromkeys(graph.nodes, 0.0)
    result.update((node, value * scale) for node, value in estimate.items())
    return result, True


def network_measures(graph: nx.Graph) -> NetworkMeasures:
    """All network measures of `graph` (see module doc)."""
    components = sorted(
        (set(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), min(c))
    )
    if graph.number_of_edges():
        communities = nx.community.louvain_communities(graph, weight="weight", seed=LOUVAIN_SEED)
    else:
        communities = [{n} for n in graph.nodes]
    communities = sorted((set(c) for c in communities), key=lambda c: (-len(c), min(c)))
    per, overall = ei_indices(graph)
    between, sampled = betweenness(graph)
    return NetworkMeasures(
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        density=nx.density(graph) if graph.number_of_nodes() > 1 else 0.0,
        components=components,
        isolates=sorted(nx.isolates(graph)),
        degree=dict(graph.degree()),
        betweenness=between,
        articulation_points=sorted(nx.articulation_points(graph)),
        communities=communities,
        ei_by_sector=per,
        ei_overall=overall,
        betweenness_sampled=sampled,
    )


def spring_positions(graph: nx.Graph, *, width: float, height: float, margin: float) -> dict:
    """A deterministic layout scaled into a width × height box."""
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (width / 2, height / 2)}
    # A larger optimal distance than networkx's default spreads the clusters.
    raw = nx.spring_layout(
        graph,
        seed=LAYOUT_SEED,
        weight="weight",
        k=2.5 / graph.number_of_nodes() ** 0.5,
        iterations=200,
    )
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {
        node: (
            margin + (x - min(xs)) / span_x * (width - 2 * margin),
            margin + (y - min(ys)) / span_y * (height - 2 * margin),
        )
        for node, (x, y) in raw.items()
    }


@dataclass
class NetworkFilter:
    day: dt.date
    kinds: list[str] = field(default_factory=list)
    sector_ids: list[int] = field(default_factory=list)
    body_id: int | None = None


@dataclass
class NetworkAnalysis:
    graph: nx.Graph
    measures: NetworkMeasures
    organizations: dict[int, Organization]
    sectors: dict[int, Sector]
    findings: list[str]


def analyse_network(municipality: Municipality, flt: NetworkFilter) -> NetworkAnalysis:
    """The cooperation network of the municipality on `flt.day`, filtered by tie kind,
    sector (organisations of the chosen sectors) and body (organisations represented in
    the body on that day), with its measures and plain-German findings."""
    organizations = {o.pk: o for o in selectors.actors_of(municipality)}
    sectors = {s.pk: s for s in selectors.sectors_of(municipality)}
    node_ids = set(organizations)
    if flt.sector_ids:
        wanted = set(flt.sector_ids)
        node_ids = {
            pk
            for pk in node_ids
            if (s := selectors.sector_of(organizations[pk])) is not None and s.pk in wanted
        }
    if flt.body_id is not None:
        represented = {
            org.pk
            for m in selectors.memberships_on(municipality, flt.day).filter(body_id=flt.body_id)
            if (org := member_organization(m)) is not None
        }
        node_ids &= represented
    nodes = {
        pk: (s.pk if (s := selectors.sector_of(organizations[pk])) else None) for pk in node_ids
    }
    ties = selectors.cooperations_on(municipality, flt.day, kinds=flt.kinds).values_list(
        "organization_a_id", "organization_b_id", "kind", "strength"
    )
    graph = build_graph(nodes, ties)
    measures = network_measures(graph)
    return NetworkAnalysis(
        graph=graph,
        measures=measures,
        organizations={pk: organizations[pk] for pk in node_ids},
        sectors=sectors,
        findings=findings(graph, measures, organizations, sectors),
    )


def findings(
    graph: nx.Graph,
    measures: NetworkMeasures,
    organizations: dict[int, Organization],
    sectors: dict[int, Sector],
) -> list[str]:
    """Sentences in plain German that interpret the measures."""
    result: list[str] = []
    if measures.nodes == 0:
        return [_("No organisations have been recorded yet.")]
    if measures.edges == 0:
        return [_("No cooperations are recorded for the chosen reference date.")]
    if len(measures.components) > 1:
        result.append(
            _(
                "The network falls apart into %(n)d separate parts; "
                "%(isolates)d organisations have no cooperation."
            )
            % {"n": len(measures.components), "isolates": len(measures.isolates)}
        )
    for node in measures.articulation_points:
        result.append(
            _(
                "%(name)s is a cut point: without this organisation "
                "the network would fall apart into separate parts."
            )
            % {"name": organizations[node].name}
        )
    for sector_pk, sector in sectors.items():
        members = [n for n, s in graph.nodes(data="sector") if s == sector_pk]
        if not members:
            continue
        bridges = [
            n
            for n in members
            if any(graph.nodes[m]["sector"] not in (sector_pk, None) for m in graph.neighbors(n))
        ]
        # A sector of one organisation is trivially tied through it: not worth a sentence.
        if len(bridges) == 1 and len(members) > 1:
            result.append(
                _(
                    "The sector %(sector)s is connected through a single organisation "
                    "only (%(name)s)."
                )
                % {"sector": sector.name, "name": organizations[bridges[0]].name}
            )
        elif not bridges:
            result.append(
                _("The sector %(sector)s has no cooperation with other sectors.")
                % {"sector": sector.name}
            )
    return result


# ---------------------------------------------------------------------------
# Comparison across the programme's municipalities
# ---------------------------------------------------------------------------


@dataclass
class MunicipalitySummary:
    """The headline measures of one municipality for the coordination office: counts
    and shares only, never a person."""

    municipality: Municipality
    steering_body: str
    members: int
    intersectorality: float | None
    high_rank: float | None
    core_missing: list[str]
    organizations: int
    density: float
    components: int
    isolates: int
    brokers: int
    articulation_points: int
    betweenness_sampled: bool


def municipality_summary(
    municipality: Municipality, steering: Any, day: dt.date
) -> MunicipalitySummary:
    """Steering-group quality of `steering` and the whole network's measures on `day`."""
    quality = steering_quality(municipality, day)[steering.pk]
    measures = analyse_network(municipality, NetworkFilter(day=day)).measures
    return MunicipalitySummary(
        municipality=municipality,
        steering_body=steering.name,
        members=quality.members,
        intersectorality=quality.intersectorality,
        high_rank=quality.high_rank,
        core_missing=[s.name for s in quality.core_missing],
        organizations=measures.nodes,
        density=measures.density,
        components=len(measures.components),
        isolates=len(measures.isolates),
        brokers=len(measures.brokers),
        articulation_points=len(measures.articulation_points),
        betweenness_sampled=measures.betweenness_sampled,
    )


def programme_comparison(
    steering_bodies: Iterable[tuple[Municipality, Any]], day: dt.date
) -> list[MunicipalitySummary]:
    """One summary per (municipality, its steering body), in the given order."""
    return [municipality_summary(m, body, day) for m, body in steering_bodies]
