"""Reads of the monitoring app: districts, locating points, indicator values under
disclosure control, and the need index. Everything that shows or exports
values goes through `indicator_table` (disclosure control) here."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from shapely import Point
from shapely.prepared import PreparedGeometry, prep
from shapely.strtree import STRtree

from kette.core.models import District, Municipality
from kette.monitoring import geo


def districts_of(municipality: Municipality) -> QuerySet[District]:
    """The municipality's districts without their geometry, parents joined."""
    return (
        District.objects.for_municipality(municipality)
        .select_related("parent")
        .defer("boundary", "boundary_simplified", "parent__boundary", "parent__boundary_simplified")
        .order_by("code")
    )


def district_levels(municipality: Municipality) -> list[str]:
    """The district levels of the municipality, the coarsest (fewest districts) first."""
    counts: dict[str, int] = {}
    for level in districts_of(municipality).values_list("level", flat=True):
        counts[level] = counts.get(level, 0) + 1
    return sorted(counts, key=lambda level: (counts[level], level))


def districts_geojson(municipality: Municipality, *, level: str | None = None) -> dict[str, Any]:
    """The districts' simplified outlines as a FeatureCollection for maps."""
    rows = District.objects.for_municipality(municipality).filter(boundary_simplified__isnull=False)
    if level is not None:
        rows = rows.filter(level=level)
    features = [
        {
            "type": "Feature",
            "geometry": row["boundary_simplified"],
            "properties": {"code": row["code"], "name": row["name"], "level": row["level"]},
        }
        for row in rows.order_by("code").values("code", "name", "level", "boundary_simplified")
    ]
    return {"type": "FeatureCollection", "features": features}


@dataclass
class DistrictLocator:
    """Finds the most specific district containing a point (STRtree of prepared
    outlines; districts without children are tried before their parents)."""

    version: Any
    district_ids: list[int]
    prepared: list[PreparedGeometry]
    tree: STRtree

    def locate(self, lat: float, lon: float) -> int | None:
        point = Point(lon, lat)
        for index in sorted(int(i) for i in self.tree.query(point)):
            if self.prepared[index].covers(point):
                return self.district_ids[index]
        return None


_locators: dict[int, DistrictLocator] = {}
_locator_lock = threading.Lock()


def _districts_version(municipality: Municipality) -> Any:
    # Every save of a district writes a history row, so the latest one tells
    # whether a cached locator is stale (also across processes).
    history = District.history.filter(municipality_id=municipality.pk)
    return history.aggregate(latest=Max("history_id"))["latest"]


def district_locator(municipality: Municipality) -> DistrictLocator:
    """The cached locator of the municipality's districts, rebuilt when they changed."""
    version = _districts_version(municipality)
    cached = _locators.get(municipality.pk)
    if cached is not None and cached.version == version:
        return cached
    rows = list(
        District.objects.for_municipality(municipality)
        .filter(boundary__isnull=False)
        .values("pk", "boundary", "parent_id")
    )
    parent_ids = {row["parent_id"] for row in rows if row["parent_id"]}
    # Leaves first: a point in a Stadtteil is reported as that Stadtteil, not its Stadtbezirk.
    rows.sort(key=lambda row: (row["pk"] in parent_ids, row["pk"]))
    shapes = [geo.shape_of(row["boundary"]) for row in rows]
    locator = DistrictLocator(
        version=version,
        district_ids=[row["pk"] for row in rows],
        prepared=[prep(shape) for shape in shapes],
        tree=STRtree(shapes),
    )
    with _locator_lock:
        _locators[municipality.pk] = locator
    return locator


def forget_district_locator(municipality_id: int) -> None:
    with _locator_lock:
        _locators.pop(municipality_id, None)


def district_for_point(municipality: Municipality, lat: float, lon: float) -> District | None:
    """The most specific district of the municipality containing the WGS84 point, or None."""
    district_id = district_locator(municipality).locate(lat, lon)
    if district_id is None:
        return None
    return districts_of(municipality).get(pk=district_id)
