"""Reads of the public family guide (Familienwegweiser): the search with the
guide's sort orders, district centroids and distances.

Matching, filtering, facet counts and every sort order (relevance, name,
district, distance) are `kette.directory.search.search_services`; this module
only maps the guide's parameters onto it, finds the point to measure from and
computes the exact distances (haversine) of the offers on the shown page.

Distance is measured from a point: a district's centroid (mean of its
boundary's outer ring, else of its located offers) or coordinates given by the
visitor. Turning an address into coordinates needs a geocoding service, which
an operator would have to configure; none is called from here (no external
requests).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import prefetch_related_objects

from kette.core.models import District, Municipality
from kette.directory.models import Location
from kette.directory.search import (
    MAX_PER_PAGE,
    ORDER_DISTANCE,
    ORDER_DISTRICT,
    ORDER_NAME,
    ORDER_RELEVANCE,
    SearchResult,
    corrected_query,
    search_services,
    shown_correction,
    surface_word,
)

SORT_RELEVANCE = "relevanz"
SORT_NAME = "name"
SORT_DISTANCE = "entfernung"
SORT_DISTRICT = "sozialraum"
SORTS = (SORT_RELEVANCE, SORT_NAME, SORT_DISTANCE, SORT_DISTRICT)
# The guide's (German) sort parameter values -> orders of search_services.
_ORDERS = {
    SORT_RELEVANCE: ORDER_RELEVANCE,
    SORT_NAME: ORDER_NAME,
    SORT_DISTANCE: ORDER_DISTANCE,
    SORT_DISTRICT: ORDER_DISTRICT,
}
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


# Filters that take one value each. Their counts are counted without their own
# choice, so that the other values say what choosing them instead would find
# ("Freitag (4)" while Wednesday is chosen, not "(0)"). Accessibility features
# combine (every one chosen is required) and keep the counts of the results.
SINGLE_CHOICE_FILTERS = ("life_phase", "field_of_action", "district", "language", "weekday")


def _count_other_choices(
    result: SearchResult,
    guide: GuideQuery,
    *,
    municipality: Municipality | None,
    statuses: Sequence[str],
) -> None:
    filters = guide.filter_kwargs()
    for name in SINGLE_CHOICE_FILTERS:
        if filters[name] is None:
            continue
        without = search_services(
            municipality=municipality,
            statuses=statuses,
            counts_only=True,
            **(filters | {name: None}),
        )
        result.facets[name] = without.facets.get(name, {})


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
    order, near = _ORDERS.get(guide.sort, ORDER_RELEVANCE), None
    if order == ORDER_DISTANCE:
        if guide.origin is None:
            order = ORDER_RELEVANCE  # nothing to measure from
        else:
            near = (guide.origin.latitude, guide.origin.longitude)
    search = functools.partial(
        search_services,
        municipality=municipality,
        statuses=statuses,
        page=guide.page,
        per_page=guide.per_page,
        with_facets=with_facets,
        order=order,
        near=near,
    )
    result = search(**guide.filter_kwargs())
    original = guide.query
    tokens: list[tuple[str, str]] = []  # (as typed, token searched instead)
    if result.total == 0 and guide.query:
        # Misspelt words ("Schwimkurs"): the nearest indexed words instead, if
        # that finds something; the page says so.
        corrected = corrected_query(guide.query, municipality=municipality, statuses=statuses)
        if corrected is not None:
            fixed = dataclasses.replace(guide, query=corrected[0])
            again = search(**fixed.filter_kwargs())
            if again.total:
                result, guide = again, fixed
                tokens = [(c.typed, c.token) for c in corrected[1]]
    if with_facets:
        _count_other_choices(result, guide, municipality=municipality, statuses=statuses)
    if municipality is not None:
        # Every result is the guide's own municipality's: no query for it (nor
        # for its outline, which the caller's instance leaves unread).
        for service in result.services:
            service.municipality = municipality
    prefetch_related_objects(
        result.services,
        "service_at_locations__location__district",
        "terms",
        *(["municipality"] if municipality is None else []),
    )
    if tokens:
        texts = [
            text
            for service in result.services
            for text in (service.name, service.description, service.organization.name)
        ]
        result.corrections = [(typed, surface_word(token, texts)) for typed, token in tokens]
        result.corrected_query = shown_correction(original, result.corrections)
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
