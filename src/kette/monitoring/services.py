"""Writes of the monitoring app. Every service is keyword-only, atomic and audited;
imports validate their whole input before they write anything."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely import prepared
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kette.core.audit import audited_delete
from kette.core.geo import forget_district_locator
from kette.core.models import District, Municipality, User
from kette.core.tenancy import check_same_municipality
from kette.directory import services as directory_services
from kette.monitoring import geo, selectors, tables
from kette.monitoring.catalogue import STANDARD_INDICATORS
from kette.monitoring.errors import ImportRejected
from kette.monitoring.models import (
    Direction,
    Indicator,
    NeedIndexWeight,
    Observation,
    RegionalObservation,
    Unit,
)


@dataclass
class DistrictImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_crs: str = geo.WGS84
    locations_assigned: int = 0  # offers' places that got their district


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
    source: str | None = None,
    dry_run: bool = False,
) -> DistrictImportReport:
    """Create or update (by code) the municipality's districts from a GeoJSON
    FeatureCollection in WGS84 or another CRS (EPSG:25832), converted to WGS84.

    Geometry collections count by their polygons; invalid geometries are
    repaired where the repair still gives an area, otherwise the whole import
    is rejected with every feature's reason (ImportRejected). The parent is the
    district whose code is in `parent_property`, or the district of
    `parent_level` that contains the feature's representative point.
    `source` names where the outlines come from (their attribution, shown on
    every map of them); None keeps each district's as it is.
    With `dry_run` the input is validated and counted the same way, but nothing
    is written (the upload page's report before the confirmation).
    """
    report = DistrictImportReport()
    if collection.get("type") != "FeatureCollection" or not isinstance(
        collection.get("features"), list
    ):
        raise ImportRejected([_("The file is not a GeoJSON FeatureCollection.")])
    try:
        report.source_crs = geo.resolve_crs(crs, collection)
        transformer = geo.transformer_to_wgs84(report.source_crs)
    except geo.GeometryError as error:
        raise ImportRejected([str(error)]) from error

    names = geo.property_names(collection)
    absent = [
        _("No feature has the property “%(name)s”; the file has: %(names)s.")
        % {"name": name, "names": ", ".join(names) or "–"}
        for name in dict.fromkeys([code_property, name_property, parent_property or ""])
        if name and name not in names and collection["features"]
    ]
    if absent:
        raise ImportRejected(absent)
    errors: list[str] = []
    parsed: list[_ParsedDistrict] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(collection["features"], start=1):
        where = _("Feature %(index)s") % {"index": index}
        if not isinstance(feature, dict):
            errors.append(_("%(where)s: not a GeoJSON feature.") % {"where": where})
            continue
        properties = feature.get("properties") or {}
        code = _text(properties.get(code_property))
        name = _text(properties.get(name_property))
        if code:
            where = _("Feature %(index)s (%(code)s)") % {"index": index, "code": code}
        if not code:
            errors.append(
                _("%(where)s: property “%(name)s” (code) is missing.")
                % {"where": where, "name": code_property}
            )
        elif len(code) > 40:
            errors.append(_("%(where)s: the code is longer than 40 characters.") % {"where": where})
        elif code in seen:
            errors.append(
                _("%(where)s: the code already appears in feature %(other)s.")
                % {"where": where, "other": seen[code]}
            )
        else:
            seen[code] = index
        if not name:
            errors.append(
                _("%(where)s: property “%(name)s” (name) is missing.")
                % {"where": where, "name": name_property}
            )
        try:
            clean = geo.clean_geometry(feature.get("geometry"), transformer)
        except geo.GeometryError as error:
            errors.append(_("%(where)s: %(error)s.") % {"where": where, "error": error})
            continue
        if clean.repaired:
            report.repaired.append(where)
        parent_code = _text(properties.get(parent_property)) if parent_property else None
        parsed.append(_ParsedDistrict(index, code, name[:200], clean.geometry, parent_code or None))
    if not parsed and not errors:
        errors.append(_("The file contains no features."))

    existing = {d.code: d for d in District.objects.for_municipality(municipality)}
    nesting_before = _nesting(municipality)
    parents: dict[str, District | None] = {}
    if parent_property:
        for item in parsed:
            if (
                item.parent_code
                and item.parent_code not in existing
                and item.parent_code not in seen
            ):
                errors.append(
                    _("Feature %(index)s (%(code)s): parent district “%(parent)s” is unknown.")
                    % {"index": item.index, "code": item.code, "parent": item.parent_code}
                )
        errors += _parent_loops(parsed, existing)
    elif parent_level:
        candidates = [
            d for d in existing.values() if d.level == parent_level and d.boundary is not None
        ]
        if not candidates:
            errors.append(
                _("There are no districts of level “%(level)s” yet to assign the features to.")
                % {"level": parent_level}
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
                        _("Feature %(index)s (%(code)s): lies in no district of level “%(level)s”.")
                        % {"index": item.index, "code": item.code, "level": parent_level}
                    )
    if errors:
        raise ImportRejected(errors)
    report.warnings += _outside(municipality, parsed)

    simplified = geo.simplify_for_display([item.geometry for item in parsed])
    written: dict[str, District] = {}
    for item, small in zip(parsed, simplified, strict=True):
        district = existing.get(item.code) or District(municipality=municipality, code=item.code)
        values: dict[str, Any] = {
            "name": item.name,
            "boundary": geo.to_geojson(item.geometry, 6),
            "boundary_simplified": geo.to_geojson(small, geo.DISPLAY_DECIMALS),
        }
        if source is not None:
            values["outline_source"] = source.strip()
        if level or district.pk is None:
            # New outlines without a level keep the level a district has: the
            # maps, the need index and the gap analysis choose by level.
            values["level"] = level
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
        if is_new:
            report.created += 1
        else:
            report.updated += 1
        if dry_run:
            continue
        for key, value in values.items():
            setattr(district, key, value)
        _attribute(district, actor)
        district.full_clean(validate_unique=False, validate_constraints=False)
        district.save()
        written[item.code] = district
    if dry_run:
        return report
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
    # Offers' places that had no district yet get theirs from the new outlines.
    report.locations_assigned = directory_services.locations_assign_districts(
        actor=actor, municipality=municipality
    )
    if _nesting(municipality) != nesting_before:
        # An offer in a Stadtteil is found under its Stadtbezirk, one for a
        # Stadtbezirk under each of its Stadtteile: their filter keys follow.
        directory_services.directory_reindex(municipality=municipality)
    return report


def _outside(municipality: Municipality, parsed: list[_ParsedDistrict]) -> list[str]:
    """A notice for each feature that does not touch the municipality's outline
    (a wrong file, swapped coordinates, 0°/0°): kept, as outlines may be more
    exact than the municipality's, but worth a look before the import."""
    if not municipality.boundary:
        return []
    # about a kilometre of slack for outlines drawn more or less exactly
    area = prepared.prep(geo.shape_of(municipality.boundary).buffer(0.01))
    return [
        _("Feature %(index)s (%(code)s): lies outside %(municipality)s.")
        % {"index": item.index, "code": item.code, "municipality": municipality.name}
        for item in parsed
        if not area.intersects(item.geometry)
    ]


def _parent_loops(parsed: list[_ParsedDistrict], existing: dict[str, District]) -> list[str]:
    """A message for each feature whose parent chain, as it will be after the
    import, comes back to itself ("ref" given as code and parent, or A in B and
    B in A): disclosure control adds parts up to their parent, and a loop has
    none."""
    parent_of = {
        code: district.parent.code
        for code, district in existing.items()
        if district.parent_id is not None and district.parent is not None
    }
    parent_of.update({item.code: item.parent_code for item in parsed if item.parent_code})
    errors = []
    for item in parsed:
        chain, code = [item.code], parent_of.get(item.code)
        while code is not None and code not in chain:
            chain.append(code)
            code = parent_of.get(code)
        if code == item.code:
            errors.append(
                _("Feature %(index)s (%(code)s): lies in itself (%(chain)s).")
                % {
                    "index": item.index,
                    "code": item.code,
                    "chain": " → ".join([*chain, item.code]),
                }
            )
    return errors


def _nesting(municipality: Municipality) -> set[tuple[int, int]]:
    """The (district, parent) pairs of the municipality's nested districts."""
    return set(
        District.objects.for_municipality(municipality)
        .filter(parent__isnull=False)
        .values_list("pk", "parent_id")
    )


# Indicators -------------------------------------------------------------------


@transaction.atomic
def indicator_upsert(
    *, actor: User | None, municipality: Municipality | None, key: str, **fields: Any
) -> Indicator:
    """Create or update the indicator `key` (programme-wide when `municipality` is
    None, else the municipality's own); unchanged indicators are not saved."""
    indicator = Indicator.objects.filter(municipality=municipality, key=key).first()
    if indicator is None:
        indicator = Indicator(municipality=municipality, key=key)
    changed = indicator.pk is None or any(
        getattr(indicator, name) != value for name, value in fields.items()
    )
    if changed:
        for name, value in fields.items():
            setattr(indicator, name, value)
        indicator.full_clean(validate_constraints=False)
        indicator.save()
    return indicator


def indicator_catalogue_sync(*, actor: User | None) -> int:
    """Create or update the programme-wide standard indicators; returns their number."""
    for order, item in enumerate(STANDARD_INDICATORS):
        indicator_upsert(
            actor=actor,
            municipality=None,
            key=item.key,
            name=item.name,
            unit=item.unit,
            direction=item.direction,
            source=item.source,
            age_band=item.age_band,
            description=item.description,
            sort_order=order,
        )
    return len(STANDARD_INDICATORS)


# Observations -----------------------------------------------------------------

COLUMN_NAMES = {
    "district": {"sozialraum", "bezirk", "stadtteil", "district", "schlüssel", "code", "raum"},
    "indicator": {"indikator", "indicator", "kennung"},
    "year": {"jahr", "year"},
    "value": {"wert", "value"},
    "numerator": {"zähler", "zaehler", "numerator"},
    "denominator": {"nenner", "denominator"},
}
# The largest possible value of a rate, which is also its factor over numerator/denominator.
LIMITS: dict[str, float] = {Unit.PERCENT: 100.0, Unit.PER_1000: 1000.0}


@dataclass(frozen=True)
class RegionalRow:
    """A row of an IT.NRW table that becomes a municipality's value."""

    line: int
    key: str
    name: str  # as the table writes it
    value: float
    previous: float | None  # the value stored so far; None: a new value


@dataclass
class ObservationImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0  # cells with a statistical marker ("." etc.): not stored
    municipalities: list[str] = field(default_factory=list)
    regions: int = 0  # regions of the whole state kept for the comparison (IT.NRW)
    warnings: list[str] = field(default_factory=list)  # shown before the import
    rows: list[RegionalRow] = field(default_factory=list)  # IT.NRW: whose value becomes what
    # How many of the file's values each indicator (by key) has in each year.
    years: dict[str, Counter[int]] = field(default_factory=dict)

    def main_indicator(self) -> tuple[str, int] | None:
        """The indicator with the most values in the file (the first of equals)
        and its latest year: where to look after the import."""
        if not self.years:
            return None
        key = max(self.years, key=lambda k: self.years[k].total())
        return key, max(self.years[key])


@dataclass
class _Candidate:
    district: District | None
    indicator: Indicator
    year: int
    value: float
    numerator: float | None
    denominator: float | None


def _column_index(header: list[str], role: str) -> int | None:
    for index, name in enumerate(header):
        if name.strip().lower() in COLUMN_NAMES[role]:
            return index
    return None


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return ""
    return row[index]


def _year(cell: Any) -> int:
    number = tables.parse_number(cell)
    if isinstance(number, tables.Missing) or number != int(number) or not 1900 <= number <= 2100:
        raise ValueError(cell)
    return int(number)


def _all_digits(value: float) -> str:
    """The value as pages write it, with as many decimals as it has (up to 6)."""
    decimals = len(repr(round(value, 6)).partition(".")[2].rstrip("0"))
    return tables.format_number(value, min(decimals, 6) or 1)


def _check_value(indicator: Indicator, value: float) -> str | None:
    """Why `value` is impossible for the indicator, or None."""
    if value < 0:
        return _("%(value)s is negative and therefore impossible") % {
            "value": tables.format_number(value)
        }
    if indicator.unit == Unit.COUNT and not value.is_integer():
        # A count of people (e.g. children under 3) is whole.
        return _("%(value)s is not a whole number and therefore impossible as a count") % {
            "value": _all_digits(value)
        }
    limit = LIMITS.get(indicator.unit)
    if limit is not None and value > limit:
        if indicator.unit == Unit.PERCENT:
            message = _("%(value)s is impossible as a percentage")
        else:
            message = _("%(value)s is impossible as a value per 1,000")
        return message % {"value": tables.format_number(value)}
    return None


class _RowReader:
    """Validates cells of one input row, collecting German errors with row and column."""

    def __init__(self, header: list[str], errors: list[str]):
        self.header = header
        self.errors = errors

    def where(self, line: int, index: int | None) -> str:
        column = self.header[index] if index is not None and index < len(self.header) else ""
        if column:
            return _("Row %(line)s, column “%(column)s”") % {"line": line, "column": column}
        return _("Row %(line)s") % {"line": line}

    def number(self, line: int, row: list[Any], index: int | None) -> float | bool | None:
        """The number in the cell; None when empty or a marker; False after an error."""
        raw = _cell(row, index)
        try:
            value = tables.parse_number(raw)
        except ValueError:
            self.errors.append(
                _("%(where)s: “%(raw)s” is not a number.")
                % {"where": self.where(line, index), "raw": raw}
            )
            return False
        return None if isinstance(value, tables.Missing) else value


def _resolve_district(
    municipality: Municipality, districts: dict[str, District], raw: Any
) -> District | None:
    """The district named by the cell (None = whole municipality); KeyError if unknown."""
    code = str(raw or "").strip()
    if isinstance(raw, float) and raw.is_integer():
        code = str(int(raw))
    if code in ("", municipality.official_key) or code.lower() in {"gesamt", "insgesamt"}:
        return None
    return districts[code]


def _candidates_from_table(
    municipality: Municipality,
    table: tables.Table,
    *,
    layout: str,
    indicator_key: str | None,
    year: int | None,
    report: ObservationImportReport,
) -> list[_Candidate]:
    errors: list[str] = []
    reader = _RowReader(table.header, errors)
    districts = {d.code: d for d in District.objects.for_municipality(municipality)}
    indicators = {i.key: i for i in Indicator.objects.available_to(municipality)}
    # A municipality's own indicator takes precedence over a standard one of the same key.
    for own in Indicator.objects.filter(municipality=municipality):
        indicators[own.key] = own
    district_index = _column_index(table.header, "district")
    if district_index is None:
        district_index = 0 if layout == "wide" else None
    if district_index is None:
        raise ImportRejected(
            [_("The district column is missing (expected e.g. “Sozialraum” or “Schlüssel”).")]
        )
    # Each cell to read: (column index, indicator key or None = from column, year or None)
    cells: list[tuple[int, str | None, int | None]] = []
    if layout == "long":
        missing = [
            role
            for role in ("indicator", "year", "value")
            if _column_index(table.header, role) is None
            and not (role == "indicator" and indicator_key)
            and not (role == "year" and year)
        ]
        if missing:
            names = {"indicator": _("Indicator"), "year": _("Year"), "value": _("Value")}
            raise ImportRejected(
                [_("Column “%(name)s” is missing.") % {"name": names[role]} for role in missing]
            )
        cells = [(_column_index(table.header, "value") or 0, indicator_key, year)]
    else:
        for index, name in enumerate(table.header):
            if index == district_index or not name:
                continue
            if re.fullmatch(r"(19|20)\d\d", name):
                if not indicator_key:
                    raise ImportRejected([_("The columns are years: please name the indicator.")])
                cells.append((index, indicator_key, int(name)))
            else:
                if not year:
                    raise ImportRejected([_("The columns are indicators: please name the year.")])
                if name not in indicators:
                    errors.append(_("Column “%(name)s”: unknown indicator.") % {"name": name})
                    continue
                cells.append((index, name, year))
        if not cells and not errors:
            raise ImportRejected([_("No value columns found.")])
    if indicator_key and indicator_key not in indicators:
        raise ImportRejected([_("Unknown indicator “%(key)s”.") % {"key": indicator_key}])

    indicator_index = _column_index(table.header, "indicator")
    year_index = _column_index(table.header, "year")
    numerator_index = _column_index(table.header, "numerator") if layout == "long" else None
    denominator_index = _column_index(table.header, "denominator") if layout == "long" else None
    result: list[_Candidate] = []
    seen: dict[tuple[Any, ...], int] = {}
    fractional: dict[int | None, list[int]] = {}  # numerator/denominator column: rows
    for line, row in table.rows:
        try:
            district = _resolve_district(municipality, districts, _cell(row, district_index))
        except KeyError:
            raw = _cell(row, district_index)
            errors.append(
                _("%(where)s: unknown district “%(raw)s”.")
                % {"where": reader.where(line, district_index), "raw": raw}
            )
            continue
        for value_index, cell_indicator, cell_year in cells:
            key = cell_indicator or str(_cell(row, indicator_index)).strip()
            indicator = indicators.get(key)
            if indicator is None:
                errors.append(
                    _("%(where)s: unknown indicator “%(key)s”.")
                    % {"where": reader.where(line, indicator_index), "key": key}
                )
                continue
            the_year = cell_year
            if the_year is None:
                try:
                    the_year = _year(_cell(row, year_index))
                except ValueError:
                    raw = _cell(row, year_index)
                    errors.append(
                        _("%(where)s: “%(raw)s” is not a year.")
                        % {"where": reader.where(line, year_index), "raw": raw}
                    )
                    continue
            value = reader.number(line, row, value_index)
            numerator = reader.number(line, row, numerator_index)
            denominator = reader.number(line, row, denominator_index)
            if value is False or numerator is False or denominator is False:
                continue
            if value is None and numerator is not None and denominator:
                factor = LIMITS.get(indicator.unit)
                value = numerator / denominator * factor if factor else None
            if value is None:
                report.missing += 1
                continue
            problem = _check_value(indicator, float(value))
            if problem:
                errors.append(
                    _("%(where)s: %(problem)s.")
                    % {"where": reader.where(line, value_index), "problem": problem}
                )
                continue
            if numerator is not None and numerator < 0:
                errors.append(
                    _("%(where)s: the numerator is negative.")
                    % {"where": reader.where(line, numerator_index)}
                )
                continue
            if denominator is not None and denominator < 0:
                errors.append(
                    _("%(where)s: the denominator is negative.")
                    % {"where": reader.where(line, denominator_index)}
                )
                continue
            for part, column in ((numerator, numerator_index), (denominator, denominator_index)):
                if part is not None and not float(part).is_integer():
                    fractional.setdefault(column, []).append(line)
            if numerator is not None and denominator is not None and numerator > denominator:
                errors.append(
                    _("%(where)s: the numerator is larger than the denominator.")
                    % {"where": reader.where(line, numerator_index)}
                )
                continue
            identity = (district.pk if district else None, indicator.pk, the_year)
            if identity in seen:
                errors.append(
                    _(
                        "Row %(line)s: %(key)s %(year)s for this district "
                        "is already in row %(other)s."
                    )
                    % {
                        "line": line,
                        "key": indicator.key,
                        "year": the_year,
                        "other": seen[identity],
                    }
                )
                continue
            seen[identity] = line
            result.append(
                _Candidate(
                    district,
                    indicator,
                    the_year,
                    float(value),
                    None if numerator is None else float(numerator),
                    None if denominator is None else float(denominator),
                )
            )
    if errors:
        raise ImportRejected(errors)
    report.warnings += [
        _fractional_notice(table.header[index] if index is not None else "", lines)
        for index, lines in fractional.items()
    ]
    return result


def _fractional_notice(column: str, lines: list[int]) -> str:
    """Numerators and denominators count people: a fraction may be a column of
    rates or thousands read as counts. Pointed out, not refused."""
    shown = ", ".join(str(line) for line in lines[:5]) + (", …" if len(lines) > 5 else "")
    return ngettext(
        "Column “%(column)s” holds %(count)s number that is not whole (row %(rows)s), "
        "though numerators and denominators are counts: is it the right column?",
        "Column “%(column)s” holds %(count)s numbers that are not whole (rows %(rows)s), "
        "though numerators and denominators are counts: is it the right column?",
        len(lines),
    ) % {"column": column, "count": len(lines), "rows": shown}


def _store(
    municipality: Municipality,
    candidates: list[_Candidate],
    *,
    actor: User | None,
    report: ObservationImportReport,
    dry_run: bool = False,
) -> list[float | None]:
    """Write (or with `dry_run` only count) the candidates; returns each one's
    value stored so far (None: new)."""
    existing = {
        (o.district_id, o.indicator_id, o.year): o
        for o in Observation.objects.for_municipality(municipality).filter(
            indicator__in={c.indicator.pk for c in candidates}
        )
    }
    new: list[Observation] = []
    changed: list[Observation] = []
    previous: list[float | None] = []
    for c in candidates:
        report.years.setdefault(c.indicator.key, Counter())[c.year] += 1
        observation = existing.get((c.district.pk if c.district else None, c.indicator.pk, c.year))
        previous.append(None if observation is None else observation.value)
        if observation is None:
            new.append(
                Observation(
                    municipality=municipality,
                    district=c.district,
                    indicator=c.indicator,
                    year=c.year,
                    value=c.value,
                    numerator=c.numerator,
                    denominator=c.denominator,
                )
            )
        elif (observation.value, observation.numerator, observation.denominator) != (
            c.value,
            c.numerator,
            c.denominator,
        ):
            observation.value, observation.numerator = c.value, c.numerator
            observation.denominator = c.denominator
            changed.append(observation)
        else:
            report.unchanged += 1
    report.created += len(new)
    report.updated += len(changed)
    if dry_run:
        return previous
    if new:
        bulk_create_with_history(new, Observation, batch_size=500, default_user=actor)
    if changed:
        bulk_update_with_history(
            changed,
            Observation,
            ["value", "numerator", "denominator"],
            batch_size=500,
            default_user=actor,
        )
    return previous


@transaction.atomic
def observations_import(
    *,
    actor: User | None,
    municipality: Municipality,
    table: tables.Table,
    layout: str = "long",
    indicator_key: str | None = None,
    year: int | None = None,
    dry_run: bool = False,
) -> ObservationImportReport:
    """Create or update observations from a table in long form (Sozialraum,
    Indikator, Jahr, Wert, optional Zähler and Nenner) or wide form (Sozialraum
    plus one column per year or per indicator). German number formats; an empty
    Sozialraum (or the municipality's key) means the whole municipality. Every
    unknown code, non-number and impossible value is reported with row and
    column, and nothing is written unless the whole table is valid. With
    `dry_run` only validate and count what would be created and updated."""
    if layout not in ("long", "wide"):
        raise ImportRejected(
            [_("Unknown layout “%(layout)s” (long or wide).") % {"layout": layout}]
        )
    report = ObservationImportReport()
    candidates = _candidates_from_table(
        municipality, table, layout=layout, indicator_key=indicator_key, year=year, report=report
    )
    report.warnings += _future_years(candidates)
    _store(municipality, candidates, actor=actor, report=report, dry_run=dry_run)
    return report


def _future_years(candidates: list[_Candidate]) -> list[str]:
    """A notice per year after the current one: a forecast may be meant, a typo
    (2031 for 2013) would otherwise become the indicator page's default year."""
    this_year = timezone.localdate().year
    counts = Counter(c.year for c in candidates if c.year > this_year)
    return [
        ngettext(
            "%(count)s value is for %(year)s, a year still to come: is the year right?",
            "%(count)s values are for %(year)s, a year still to come: is the year right?",
            count,
        )
        % {"count": count, "year": year}
        for year, count in sorted(counts.items())
    ]


def _municipality_for_key(key: str, by_key: dict[str, Municipality]) -> Municipality | None:
    # A kreisfreie Stadt appears with its 5-digit Kreis key in IT.NRW's tables.
    return by_key.get(key) or (by_key.get(key + "000") if len(key) == 5 else None)


@transaction.atomic
def observations_import_itnrw(
    *,
    actor: User | None,
    regional: tables.RegionalTable,
    indicator_key: str,
    municipalities: list[Municipality] | None = None,
    keep_regional: bool = True,
    dry_run: bool = False,
) -> ObservationImportReport:
    """Store the values of an IT.NRW table for every municipality (all by default)
    whose official key appears in it, as whole-municipality observations of the
    programme-wide indicator `indicator_key`; with `keep_regional` also every
    region's value for the comparison of municipalities (programme-wide data,
    so not from one municipality's upload). `dry_run` validates and counts only."""
    indicator = Indicator.objects.filter(municipality__isnull=True, key=indicator_key).first()
    if indicator is None:
        raise ImportRejected([_("Unknown standard indicator “%(key)s”.") % {"key": indicator_key}])
    targets = municipalities if municipalities is not None else list(Municipality.objects.all())
    by_key = {m.official_key: m for m in targets}
    errors: list[str] = []
    report = ObservationImportReport()
    per_municipality: dict[int, tuple[Municipality, _Candidate, tables.RegionalValue]] = {}
    for item in regional.values:
        municipality = _municipality_for_key(item.key, by_key)
        if municipality is None:
            continue
        if isinstance(item.value, tables.Missing):
            report.missing += 1
            continue
        problem = _check_value(indicator, item.value)
        if problem:
            errors.append(
                _("Row %(line)s (%(key)s %(name)s): %(problem)s.")
                % {"line": item.line, "key": item.key, "name": item.name, "problem": problem}
            )
            continue
        candidate = _Candidate(None, indicator, regional.year, item.value, None, None)
        per_municipality[municipality.pk] = (municipality, candidate, item)
    if errors:
        raise ImportRejected(errors)
    for municipality, candidate, item in per_municipality.values():
        (previous,) = _store(municipality, [candidate], actor=actor, report=report, dry_run=dry_run)
        report.municipalities.append(municipality.name)
        report.rows.append(RegionalRow(item.line, item.key, item.name, candidate.value, previous))
    if keep_regional and not dry_run:
        report.regions = regional_observations_store(regional=regional, indicator=indicator)
    return report


def regional_observations_store(*, regional: tables.RegionalTable, indicator: Indicator) -> int:
    """Keep every region's value of an IT.NRW table (all Gemeinden, Kreise, the
    state) as programme-wide reference data for the comparison of municipalities;
    a region's earlier value of the same year is replaced, markers are skipped.
    Public statistics, re-importable: no change history. Returns the count."""
    rows = [
        RegionalObservation(
            indicator=indicator,
            region_key=item.key,
            region_name=item.name,
            year=regional.year,
            value=item.value,
            source=regional.title[:300],
        )
        for item in regional.values
        if not isinstance(item.value, tables.Missing)
    ]
    RegionalObservation.objects.filter(
        indicator=indicator, year=regional.year, region_key__in=[r.region_key for r in rows]
    ).delete()
    RegionalObservation.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def need_index_weights_set(
    *, actor: User | None, municipality: Municipality, weights: dict[str, float]
) -> list[NeedIndexWeight]:
    """Choose the need index's indicators (by key) and weights for the municipality;
    indicators not named are removed from the index."""
    indicators = {i.key: i for i in Indicator.objects.available_to(municipality)}
    for own in Indicator.objects.filter(municipality=municipality):
        indicators[own.key] = own
    unknown = [key for key in weights if key not in indicators]
    if unknown:
        raise ImportRejected([_("Unknown indicator “%(key)s”.") % {"key": key} for key in unknown])
    bad = [key for key, weight in weights.items() if not weight > 0]
    if bad:
        raise ImportRejected(
            [_("The weight of “%(key)s” must be greater than 0.") % {"key": key} for key in bad]
        )
    neutral = [key for key in weights if indicators[key].direction == Direction.NEUTRAL]
    if neutral:
        raise ImportRejected(
            [
                _("“%(name)s” has no direction and cannot be part of the index.")
                % {"name": indicators[key].name}
                for key in neutral
            ]
        )
    current = {w.indicator_id: w for w in NeedIndexWeight.objects.for_municipality(municipality)}
    wanted = {indicators[key].pk: (indicators[key], weight) for key, weight in weights.items()}
    for indicator_id, row in current.items():
        if indicator_id not in wanted:
            _attribute(row, actor)
            row.delete()
    result = []
    for indicator_id, (indicator, weight) in wanted.items():
        row = current.get(indicator_id) or NeedIndexWeight(
            municipality=municipality, indicator=indicator
        )
        if row.pk is None or row.weight != weight:
            row.weight = weight
            _attribute(row, actor)
            row.save()
        result.append(row)
    return result


# Deleting wrong data ----------------------------------------------------------------


@transaction.atomic
def observations_delete(
    *, actor: User | None, municipality: Municipality, indicator: Indicator, year: int
) -> int:
    """Delete the municipality's values of `indicator` in `year` (every district's
    and the whole municipality's), e.g. a year imported wrongly; each with a
    history record naming `actor`. Returns how many were deleted."""
    observations = list(
        Observation.objects.for_municipality(municipality).filter(indicator=indicator, year=year)
    )
    for observation in observations:
        audited_delete(observation, actor=actor)
    return len(observations)


@transaction.atomic
def district_delete(
    *, actor: User | None, municipality: Municipality, district: District
) -> selectors.DistrictDeletion:
    """Delete a district of the municipality with its indicator values. What the
    database would change silently is done here with a history record naming
    `actor`: the child districts move to the district's parent (or become top
    districts), the offers' service areas in it are removed, and its places lose
    it and then get the district their coordinates lie in; the offers' search
    documents follow. Returns what went with it (`selectors.district_deletion`,
    read before)."""
    check_same_municipality(municipality, district)
    deletion = selectors.district_deletion(municipality, district)
    for child in deletion.children:
        child.parent_id = district.parent_id
        _attribute(child, actor)
        child.save(update_fields=["parent"])
    for observation in Observation.objects.for_municipality(municipality).filter(district=district):
        audited_delete(observation, actor=actor)
    directory_services.district_unlink(actor=actor, municipality=municipality, district=district)
    audited_delete(district, actor=actor)
    transaction.on_commit(lambda: forget_district_locator(municipality.pk))
    forget_district_locator(municipality.pk)
    directory_services.locations_assign_districts(actor=actor, municipality=municipality)
    # Offers in it or its children were found under its name and code.
    directory_services.directory_reindex(municipality=municipality)
    return deletion
