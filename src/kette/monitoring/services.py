"""Writes of the monitoring app. Every service is keyword-only, atomic and audited;
imports validate their whole input before they write anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from kette.core.models import District, Municipality, User
from kette.monitoring import geo
from kette.monitoring.errors import ImportRejected
from kette.monitoring.selectors import forget_district_locator


@dataclass
class DistrictImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_crs: str = geo.WGS84


@dataclass
class _ParsedDistrict:
    index: int
    code: str
    name: str
    geometry: BaseGeometry
    parent_code: str | None


def _attribute(instance: Any, actor: User | None) -> None:
    """Record `actor` as the author of the next history row of `instance`."""
    instance._history_user = actor


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


@transaction.atomic
def districts_import(
    *,
    actor: User | None,
    municipality: Municipality,
    collection: dict[str, Any],
    code_property: str,
    name_property: str,
    level: str = "",
    parent_property: str | None = None,
    parent_level: str | None = None,
    crs: str | None = None,
) -> DistrictImportReport:
    """Create or update (by code) the municipality's districts from a GeoJSON
    FeatureCollection in WGS84 or another CRS (EPSG:25832), converted to WGS84.

    Geometry collections count by their polygons; invalid geometries are
    repaired where the repair still gives an area, otherwise the whole import
    is rejected with every feature's reason (ImportRejected). The parent is the
    district whose code is in `parent_property`, or the district of
    `parent_level` that contains the feature's representative point.
    """
    report = DistrictImportReport()
    if collection.get("type") != "FeatureCollection" or not isinstance(
        collection.get("features"), list
    ):
        raise ImportRejected(["Die Datei ist keine GeoJSON-FeatureCollection."])
    try:
        report.source_crs = geo.resolve_crs(crs, collection)
        transformer = geo.transformer_to_wgs84(report.source_crs)
    except geo.GeometryError as error:
        raise ImportRejected([str(error)]) from error

    errors: list[str] = []
    parsed: list[_ParsedDistrict] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(collection["features"], start=1):
        where = f"Feature {index}"
        if not isinstance(feature, dict):
            errors.append(f"{where}: kein GeoJSON-Feature.")
            continue
        properties = feature.get("properties") or {}
        code = _text(properties.get(code_property))
        name = _text(properties.get(name_property))
        if code:
            where = f"Feature {index} ({code})"
        if not code:
            errors.append(f"{where}: Eigenschaft „{code_property}“ (Schlüssel) fehlt.")
        elif len(code) > 40:
            errors.append(f"{where}: Schlüssel ist länger als 40 Zeichen.")
        elif code in seen:
            errors.append(f"{where}: Schlüssel kommt schon in Feature {seen[code]} vor.")
        else:
            seen[code] = index
        if not name:
            errors.append(f"{where}: Eigenschaft „{name_property}“ (Name) fehlt.")
        try:
            clean = geo.clean_geometry(feature.get("geometry"), transformer)
        except geo.GeometryError as error:
            errors.append(f"{where}: {error}.")
            continue
        if clean.repaired:
            report.repaired.append(where)
        parent_code = _text(properties.get(parent_property)) if parent_property else None
        parsed.append(_ParsedDistrict(index, code, name[:200], clean.geometry, parent_code or None))
    if not parsed and not errors:
        errors.append("Die Datei enthält keine Features.")

    existing = {d.code: d for d in District.objects.for_municipality(municipality)}
    parents: dict[str, District | None] = {}
    if parent_property:
        for item in parsed:
            if (
                item.parent_code
                and item.parent_code not in existing
                and item.parent_code not in seen
            ):
                errors.append(
                    f"Feature {item.index} ({item.code}): übergeordneter Bezirk "
                    f"„{item.parent_code}“ ist unbekannt."
                )
    elif parent_level:
        candidates = [
            d for d in existing.values() if d.level == parent_level and d.boundary is not None
        ]
        if not candidates:
            errors.append(
                f"Es gibt noch keine Bezirke der Ebene „{parent_level}“, denen die Features "
                "zugeordnet werden könnten."
            )
        else:
            shapes = [geo.shape_of(d.boundary) for d in candidates]
            tree = STRtree(shapes)
            for item in parsed:
                point = item.geometry.representative_point()
                hits = [int(i) for i in tree.query(point, predicate="intersects")]
                parents[item.code] = candidates[hits[0]] if hits else None
                if not hits:
                    report.warnings.append(
                        f"Feature {item.index} ({item.code}): liegt in keinem Bezirk der Ebene "
                        f"„{parent_level}“."
                    )
    if errors:
        raise ImportRejected(errors)

    simplified = geo.simplify_for_display([item.geometry for item in parsed])
    written: dict[str, District] = {}
    for item, small in zip(parsed, simplified, strict=True):
        district = existing.get(item.code) or District(municipality=municipality, code=item.code)
        values: dict[str, Any] = {
            "name": item.name,
            "level": level,
            "boundary": geo.to_geojson(item.geometry, 6),
            "boundary_simplified": geo.to_geojson(small, geo.DISPLAY_DECIMALS),
        }
        if parent_level:
            values["parent"] = parents.get(item.code)
        elif parent_property and item.parent_code in existing:
            values["parent"] = existing[item.parent_code]
        if district.pk is not None and all(
            getattr(district, key) == value for key, value in values.items()
        ):
            report.unchanged += 1
            written[item.code] = district
            continue
        is_new = district.pk is None
        for key, value in values.items():
            setattr(district, key, value)
        _attribute(district, actor)
        district.full_clean(validate_unique=False, validate_constraints=False)
        district.save()
        written[item.code] = district
        if is_new:
            report.created += 1
        else:
            report.updated += 1
    if parent_property:
        # Parents from the same file exist only now.
        for item in parsed:
            if item.parent_code and item.parent_code in written:
                child, parent = written[item.code], written[item.parent_code]
                if child.parent_id != parent.pk:
                    child.parent = parent
                    _attribute(child, actor)
                    child.save(update_fields=["parent"])
    transaction.on_commit(lambda: forget_district_locator(municipality.pk))
    forget_district_locator(municipality.pk)
    return report
