"""Finding the district of a point: one locator for every app.

The directory assigns locations to districts, the monitoring counts by district;
both ask here. The locator of a municipality (an STRtree of prepared outlines)
is cached per process and rebuilt when any of its districts changed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from django.db.models import Max
from shapely import Point
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.prepared import PreparedGeometry, prep
from shapely.strtree import STRtree

from kette.core.models import District, Municipality


def geometry_of(geojson: dict[str, Any]) -> BaseGeometry:
    """A shapely geometry of a GeoJSON geometry, Feature or FeatureCollection."""
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        return unary_union([shape(f["geometry"]) for f in geojson.get("features", [])])
    if kind == "Feature":
        return shape(geojson["geometry"])
    return shape(geojson)


@dataclass
class DistrictLocator:
    """Finds the most specific district containing a point; districts without
    children are tried before their parents."""

    version: Any
    district_ids: list[int]
    prepared: list[PreparedGeometry]
    tree: STRtree

    def locate(self, lat: float, lon: float) -> int | None:
        if not self.district_ids:
            return None
        point = Point(lon, lat)
        for index in sorted(int(i) for i in self.tree.query(point)):
            if self.prepared[index].covers(point):
                return self.district_ids[index]
        return None

    def locate_many(self, points: Sequence[tuple[float, float]]) -> list[int | None]:
        """`locate` for many (lat, lon) points at once: one vectorised query of
        the tree instead of one per point (the first district in the tree's
        order that covers a point, as `locate` finds it)."""
        found: list[int | None] = [None] * len(points)
        if not self.district_ids or not points:
            return found
        geometries = shapely.points([(lon, lat) for lat, lon in points])
        inputs, districts = self.tree.query(geometries, predicate="covered_by")
        best: dict[int, int] = {}
        for point, index in zip(inputs.tolist(), districts.tolist(), strict=True):
            if point not in best or index < best[point]:
                best[point] = index
        for point, index in best.items():
            found[point] = self.district_ids[index]
        return found


_locators: dict[int, DistrictLocator] = {}
_locator_lock = threading.Lock()


def _districts_version(municipality: Municipality) -> Any:
    # Every save of a district writes a history row, so the latest one tells
    # whether a cached locator is stale (also across processes).
    history = District.history.filter(municipality_id=municipality.pk)
    return history.aggregate(latest=Max("history_id"))["latest"]


def district_locator(municipality: Municipality) -> DistrictLocator:
    """The cached locator of the municipality's districts, rebuilt when they changed.
    A boundary that cannot be read is left out rather than stopping the caller."""
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
    ids, shapes = [], []
    for row in rows:
        try:
            geometry = geometry_of(row["boundary"])
        except (AttributeError, KeyError, TypeError, ValueError, ShapelyError):
            continue
        ids.append(row["pk"])
        shapes.append(geometry)
    locator = DistrictLocator(
        version=version,
        district_ids=ids,
        prepared=[prep(geometry) for geometry in shapes],
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
    district_id = district_locator(municipality).locate(float(lat), float(lon))
    if district_id is None:
        return None
    return District.objects.for_municipality(municipality).get(pk=district_id)


# about two kilometres: places just across the border serve the municipality too
OUTSIDE_SLACK_DEGREES = 0.02


def outside_municipality(municipality: Municipality, lat: float, lon: float) -> bool:
    """Whether the point lies clearly outside the municipality's outline (False
    without an outline): a place typed with swapped or wrong coordinates."""
    if not municipality.boundary:
        return False
    area = geometry_of(municipality.boundary).buffer(OUTSIDE_SLACK_DEGREES)
    return not area.contains(Point(lon, lat))
