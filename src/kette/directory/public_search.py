# ruff: noqa: S608  (SQL is assembled from module constants; values go as parameters)
"""Reads of the public family guide (Familienwegweiser): the search with the
guide's sort orders, district centroids and distances.

Relevance and name order (without a query) come straight from
`kette.directory.search.search_services`. Sorting by distance, by district, or
by name with a query orders the whole match set in SQL; the match condition
is built the same way as in `search_services` (same terms, same facet keys), and
`search_services(per_page=1)` still supplies the facet counts, so filters and
counts cannot disagree with the relevance order.

Distance is measured from a point: a district's centroid (mean of its
boundary's outer ring, else of its located offers) or coordinates given by the
visitor. Turning an address into coordinates needs a geocoding service, which
an operator would have to configure; none is called from here (no external
requests).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import prefetch_related_objects

from kette.core.models import District, Municipality
from kette.directory.models import Location, Service
from kette.directory.search import (
    FTS_TABLE,
    MAX_PER_PAGE,
    SearchResult,
    _age_band,
    facet_key,
    parse_query,
    search_services,
)

SORT_RELEVANCE = "relevanz"
SORT_NAME = "name"
SORT_DISTANCE = "entfernung"
SORT_DISTRICT = "sozialraum"
SORTS = (SORT_RELEVANCE, SORT_NAME, SORT_DISTANCE, SORT_DISTRICT)
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _outer_rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind = geometry.get("type")
    if kind == "Feature":
        return _outer_rings(geometry.get("geometry") or {})
    if kind == "FeatureCollection":
        return [r for f in geometry.get("features", []) for r in _outer_rings(f)]
    if kind == "Polygon":
        return [geometry["coordinates"][0]]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def district_centroid(district: District) -> Point | None:
    """An approximate centre of a district: the mean of its boundary's outer ring
    points, or of the coordinates of its located places; None if neither exists."""
    points: list[Sequence[float]] = []
    if district.boundary:
        try:
            for ring in _outer_rings(district.boundary):
                points.extend(ring[:-1] if len(ring) > 1 else ring)
        except (KeyError, IndexError, TypeError):
            points = []
    if points:
        return Point(
            latitude=sum(float(p[1]) for p in points) / len(points),
            longitude=sum(float(p[0]) for p in points) / len(points),
        )
    located = Location.objects.filter(
        district=district, latitude__isnull=False, longitude__isnull=False
    ).values_list("latitude", "longitude")
    pairs = list(located)
    if not pairs:
        return None
    return Point(
        latitude=sum(float(lat) for lat, _ in pairs) / len(pairs),
        longitude=sum(float(lon) for _, lon in pairs) / len(pairs),
    )


@dataclass
class GuideQuery:
    """What a visitor asked the guide for (already validated)."""

    query: str = ""
    age_years: Decimal | None = None
    life_phase: str = ""
    field_of_action: str = ""
    district: int | None = None
    language: str = ""
    free_of_charge: bool = False
    accessibility: tuple[str, ...] = ()
    weekday: int | None = None
    sort: str = SORT_RELEVANCE
    origin: Point | None = None
    page: int = 1
    per_page: int = 20

    def filter_kwargs(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "age_years": self.age_years,
            "life_phase": self.life_phase or None,
            "field_of_action": self.field_of_action or None,
            "district": self.district,
            "language": self.language or None,
            "free_of_charge": self.free_of_charge,
            "accessibility": self.accessibility,
            "weekday": self.weekday,
        }


def _condition(
    guide: GuideQuery,
    *,
    vendor: str,
    municipality: Municipality | None,
    statuses: Iterable[str],
) -> tuple[str, str, list[Any]]:
    """FROM source, WHERE condition and its parameters, as in search_services."""
    where: list[str] = []
    params: list[Any] = []
    statuses = list(statuses)
    where.append("s.status IN (" + ", ".join(["%s"] * len(statuses)) + ")")
    params.extend(statuses)
    if municipality is not None:
        where.append("s.municipality_id = %s")
        params.append(municipality.pk)
    if guide.age_years is not None:
        start, end = _age_band(guide.age_years)
        where.append(
            "(s.min_age_months IS NULL OR s.min_age_months < %s) "
            "AND (s.max_age_months IS NULL OR s.max_age_months > %s)"
        )
        params.extend([end, start])
    keys = []
    if guide.life_phase:
        keys.append(facet_key("lp", guide.life_phase))
    if guide.field_of_action:
        keys.append(facet_key("fa", guide.field_of_action))
    if guide.district is not None:
        keys.append(facet_key("d", int(guide.district)))
    if guide.language:
        keys.append(facet_key("la", guide.language))
    if guide.free_of_charge:
        keys.append(facet_key("free"))
    keys.extend(facet_key("ac", code) for code in guide.accessibility)
    if guide.weekday is not None:
        keys.append(facet_key("wd", int(guide.weekday)))
    for key in keys:
        where.append("s.id IN (SELECT f.service_id FROM directory_servicefacet f WHERE f.key = %s)")
        params.append(key)
    terms = parse_query(guide.query)
    source = "directory_service s"
    if terms and vendor == "sqlite":
        where.insert(0, f"s.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)")
        params.insert(0, " AND ".join(term.fts5() for term in terms))
    elif terms:
        where.insert(0, "s.search_vector @@ to_tsquery('simple', %s)")
        params.insert(0, " & ".join(term.tsquery() for term in terms))
    return source, " AND ".join(where), params


def _ordered_ids(
    guide: GuideQuery, *, municipality: Municipality | None, statuses: Iterable[str]
) -> tuple[list[int], int]:
    connection = connections[Service.objects.db]
    source, condition, params = _condition(
        guide, vendor=connection.vendor, municipality=municipality, statuses=statuses
    )
    select_params: list[Any] = []
    if guide.sort == SORT_DISTANCE and guide.origin is not None:
        # Equirectangular approximation: monotonic in the true distance at
        # city scale, computable on both databases without trigonometry.
        k = math.cos(math.radians(guide.origin.latitude))
        key = (
            "(SELECT MIN((l.latitude - %s) * (l.latitude - %s) + "
            "(l.longitude - %s) * (l.longitude - %s) * %s) "
            "FROM directory_serviceatlocation sal JOIN directory_location l "
            "ON l.id = sal.location_id WHERE sal.service_id = s.id "
            "AND l.latitude IS NOT NULL AND l.longitude IS NOT NULL)"
        )
        lat, lon = guide.origin.latitude, guide.origin.longitude
        select_params = [lat, lat, lon, lon, k * k]
        order = "sort_key IS NULL, sort_key, name, id"
    elif guide.sort == SORT_DISTRICT:
        key = (
            "(SELECT MIN(d.name) FROM directory_serviceatlocation sal "
            "JOIN directory_location l ON l.id = sal.location_id "
            "JOIN core_district d ON d.id = l.district_id WHERE sal.service_id = s.id)"
        )
        order = "sort_key IS NULL, sort_key, name, id"
    else:
        key = "NULL"
        order = "name, id"
    offset = (guide.page - 1) * guide.per_page
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, COUNT(*) OVER () FROM "
            f"(SELECT s.id AS id, s.name AS name, {key} AS sort_key FROM {source} "
            f"WHERE {condition}) hits ORDER BY {order} LIMIT %s OFFSET %s",
            [*select_params, *params, guide.per_page, offset],
        )
        rows = cursor.fetchall()
    total = int(rows[0][1]) if rows else 0
    return [row[0] for row in rows], total


def guide_search(
    guide: GuideQuery,
    *,
    municipality: Municipality | None = None,
    statuses: Sequence[str] = ("published",),
    with_facets: bool = True,
) -> SearchResult:
    """Published offers of `municipality` (or of all municipalities) for the guide,
    sorted as asked, with facet counts (unless `with_facets` is off) and the
    locations each result shows."""
    guide.page = max(1, int(guide.page))
    guide.per_page = min(MAX_PER_PAGE, max(1, int(guide.per_page)))
    has_terms = bool(parse_query(guide.query))
    simple = guide.sort == SORT_RELEVANCE or (guide.sort == SORT_NAME and not has_terms)
    if guide.sort == SORT_DISTANCE and guide.origin is None:
        simple = True
    if simple:
        result = search_services(
            municipality=municipality,
            statuses=statuses,
            page=guide.page,
            per_page=guide.per_page,
            with_facets=with_facets,
            **guide.filter_kwargs(),
        )
    else:
        facets_only = search_services(
            municipality=municipality,
            statuses=statuses,
            page=1,
            per_page=1,
            with_facets=with_facets,
            **guide.filter_kwargs(),
        )
        ids, total = _ordered_ids(guide, municipality=municipality, statuses=statuses)
        by_id = Service.objects.select_related("organization").in_bulk(ids)
        result = SearchResult(
            services=[by_id[i] for i in ids if i in by_id],
            total=total if ids else facets_only.total,
            page=guide.page,
            per_page=guide.per_page,
            terms=facets_only.terms,
            facets=facets_only.facets,
        )
    prefetch_related_objects(
        result.services,
        "service_at_locations__location__district",
        "terms",
        "municipality",
    )
    for service in result.services:
        service.guide_locations = [sal.location for sal in service.service_at_locations.all()]
        service.distance_km = None
        if guide.origin is not None:
            distances = [
                haversine_km(guide.origin, Point(float(loc.latitude), float(loc.longitude)))
                for loc in service.guide_locations
                if loc.latitude is not None and loc.longitude is not None
            ]
            service.distance_km = min(distances) if distances else None
    return result
