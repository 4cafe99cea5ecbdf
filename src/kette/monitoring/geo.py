"""Geometry helpers for district boundaries: reading GeoJSON in WGS84 or
EPSG:25832, repairing, simplifying for display. No database access here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import shapely
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity, make_valid

WGS84 = "EPSG:4326"
# About 10 m at Köln's latitude: a district map stays legible and small.
DISPLAY_TOLERANCE_DEG = 0.0001
DISPLAY_DECIMALS = 5


class GeometryError(ValueError):
    """A geometry that cannot be used; the message is German and user-facing."""


@dataclass
class CleanGeometry:
    geometry: BaseGeometry  # (Multi)Polygon in WGS84
    repaired: bool = False


def read_geojson(data: bytes) -> dict[str, Any]:
    """The GeoJSON FeatureCollection in `data` (UTF-8), or GeometryError saying in
    German why the file is none."""
    if not data.strip():
        raise GeometryError(_("The file is empty."))
    if b"\x00" in data:
        raise GeometryError(
            _("The file is not a text file (it contains binary data). Please upload GeoJSON.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GeometryError(
            _("The file is not in UTF-8 (byte %(position)s), as GeoJSON must be.")
            % {"position": error.start + 1}
        ) from error
    try:
        collection = json.loads(text)
    except json.JSONDecodeError as error:
        # the position only: the decoder's reason is English ("Expecting value")
        raise GeometryError(
            _("The file is not valid JSON (line %(line)s, column %(column)s).")
            % {"line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:  # "[[[[…" thousands deep
        raise GeometryError(_("The file is nested too deeply to be GeoJSON.")) from error
    if (
        not isinstance(collection, dict)
        or collection.get("type") != "FeatureCollection"
        or not isinstance(collection.get("features"), list)
    ):
        raise GeometryError(_("The file is not a GeoJSON FeatureCollection."))
    return collection


def property_names(collection: dict[str, Any]) -> list[str]:
    """Every property name of the collection's features, in order of appearance."""
    names: dict[str, None] = {}
    for feature in collection.get("features") or []:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            names.update(dict.fromkeys(str(key) for key in properties))
    return list(names)


def resolve_crs(declared: str | None, collection: dict[str, Any]) -> str:
    """The source CRS: the one given explicitly, else the file's `crs` member,
    else WGS84 (the GeoJSON default)."""
    name = declared
    if not name:
        name = ((collection.get("crs") or {}).get("properties") or {}).get("name") or ""
    if not name or "CRS84" in name.upper():
        return WGS84
    try:
        crs = CRS.from_user_input(name)
    except CRSError as error:
        raise GeometryError(
            _("Unknown coordinate reference system “%(name)s”.") % {"name": name}
        ) from error
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def transformer_to_wgs84(source_crs: str) -> Transformer | None:
    if source_crs == WGS84:
        return None
    return Transformer.from_crs(source_crs, WGS84, always_xy=True)


def polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """Only the areas of a geometry (polygons of a collection), as one (Multi)Polygon."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    if geometry.geom_type == "GeometryCollection":
        parts = [polygonal_part(part) for part in geometry.geoms]
        polygons = [p for p in parts if not p.is_empty]
        if not polygons:
            return shapely.MultiPolygon()
        return shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]
    return shapely.MultiPolygon()


def clean_geometry(raw: dict[str, Any] | None, transformer: Transformer | None) -> CleanGeometry:
    """Parse a GeoJSON geometry, convert it to WGS84, keep its polygonal parts and
    repair it with make_valid when the repair still yields an area."""
    if not raw:
        raise GeometryError(_("no geometry"))
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        # shapely's reason is English and technical ("could not convert string
        # to float: 'a'"): say what a readable geometry needs instead
        raise GeometryError(
            _(
                "unreadable geometry of type “%(type)s” (a Polygon or MultiPolygon "
                "whose coordinates are lists of number pairs is needed)"
            )
            % {"type": raw.get("type", "") if isinstance(raw, dict) else ""}
        ) from error
    if geometry.is_empty:
        raise GeometryError(_("empty geometry"))
    if transformer is not None:
        _check_not_degrees(geometry, transformer)
        geometry = shapely.transform(
            geometry, lambda xy: _transform_xy(transformer, xy), include_z=False
        )
    xmin, ymin, xmax, ymax = geometry.bounds
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise GeometryError(
            _("coordinates lie outside WGS84 – please name the coordinate system (e.g. EPSG:25832)")
        )
    area = polygonal_part(geometry)
    if area.is_empty:
        raise GeometryError(_("no area (geometry type %(type)s)") % {"type": geometry.geom_type})
    repaired = False
    if not area.is_valid:
        reason = explain_validity(area)
        fixed = polygonal_part(make_valid(area))
        if fixed.is_empty or fixed.area == 0:
            raise GeometryError(
                _("invalid geometry (%(reason)s) that cannot be repaired into an area")
                % {"reason": reason}
            )
        area, repaired = fixed, True
    if area.area == 0:
        raise GeometryError(_("area without extent"))
    return CleanGeometry(area, repaired)


def _check_not_degrees(geometry: BaseGeometry, transformer: Transformer) -> None:
    """Reject longitude/latitude given as a projected CRS's metres (a few metres
    from the CRS's origin, far from any municipality)."""
    source = transformer.source_crs
    if source is None or not source.is_projected:
        return
    xmin, ymin, xmax, ymax = geometry.bounds
    if xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90:
        epsg = source.to_epsg()
        raise GeometryError(
            _(
                "the coordinates look like degrees (WGS84), not metres of %(crs)s – "
                "please choose WGS84 as the coordinate system"
            )
            % {"crs": f"EPSG:{epsg}" if epsg else source.name}
        )


def _transform_xy(transformer: Transformer, xy: Any) -> Any:
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def simplify_for_display(geometries: list[BaseGeometry]) -> list[BaseGeometry]:
    """Simplify neighbouring districts together so shared borders stay shared
    (shapely's coverage simplification); fall back to one-by-one simplification
    when the set is not a clean coverage."""
    if not geometries:
        return []
    try:
        simplified = list(shapely.coverage_simplify(geometries, DISPLAY_TOLERANCE_DEG))
        if all(g.is_valid and not g.is_empty for g in simplified):
            return simplified
    except (shapely.errors.GEOSException, ValueError):
        pass
    return [g.simplify(DISPLAY_TOLERANCE_DEG, preserve_topology=True) or g for g in geometries]


def to_geojson(geometry: BaseGeometry, decimals: int | None = None) -> dict[str, Any]:
    """A GeoJSON geometry dict, coordinates rounded to `decimals` when given."""
    data: dict[str, Any] = json.loads(json.dumps(mapping(geometry)))
    if decimals is not None:
        data["coordinates"] = _round(data["coordinates"], decimals)
    return data


def _round(value: Any, decimals: int) -> Any:
    if isinstance(value, list):
        if value and isinstance(value[0], (int, float)):
            return [round(v, decimals) for v in value]
        return [_round(v, decimals) for v in value]
    return value


def shape_of(geojson: dict[str, Any]) -> BaseGeometry:
    return shape(geojson)
