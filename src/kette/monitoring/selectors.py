"""Reads of the monitoring app: districts, locating points, indicator values under
disclosure control, and the need index. Everything that shows or exports
values goes through `indicator_table` (disclosure control) here."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from shapely import Point
from shapely.prepared import PreparedGeometry, prep
from shapely.strtree import STRtree

from kette.core.models import District, Municipality
from kette.monitoring import disclosure, geo, needindex
from kette.monitoring.models import Direction, Indicator, NeedIndexWeight, Observation, Unit
from kette.monitoring.tables import format_number


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


# Indicator values under disclosure control -------------------------------------

SUPPRESSED = "."


def indicators_of(municipality: Municipality) -> QuerySet[Indicator]:
    """The standard indicators and the municipality's own, in catalogue order."""
    return Indicator.objects.available_to(municipality).order_by("sort_order", "name")


def indicators_with_data(municipality: Municipality) -> QuerySet[Indicator]:
    ids = Observation.objects.for_municipality(municipality).values("indicator_id")
    return indicators_of(municipality).filter(pk__in=ids)


def indicator_of(municipality: Municipality, key: str) -> Indicator:
    """The indicator `key` visible to the municipality (its own wins), or 404."""
    found = sorted(
        indicators_of(municipality).filter(key=key), key=lambda i: i.municipality_id is None
    )
    if not found:
        raise Http404
    return found[0]


def years_of(municipality: Municipality, indicator: Indicator) -> list[int]:
    return sorted(
        set(
            Observation.objects.for_municipality(municipality)
            .filter(indicator=indicator)
            .values_list("year", flat=True)
        )
    )


@dataclass(frozen=True)
class ValueRow:
    """One published cell: `value` is None when suppressed (then `display` is ".")."""

    district: District | None  # None: the whole municipality
    value: float | None
    numerator: float | None
    denominator: float | None
    display: str
    suppressed: bool


def _display(indicator: Indicator, value: float) -> str:
    decimals = 0 if indicator.unit == Unit.COUNT else 1
    return format_number(value, decimals)


def _groups(districts: list[District]) -> list[tuple[Any, list[Any]]]:
    """Additivity groups: each district's children sum to it, the top level to the
    municipality (key None)."""
    children: dict[Any, list[Any]] = {}
    for district in districts:
        children.setdefault(district.parent_id, []).append(district.pk)
    return [(key, parts) for key, parts in children.items()]


def _flatten_groups(
    groups: list[tuple[Any, list[Any]]], present: set[Any]
) -> list[tuple[Any, list[Any]]]:
    """A part without a published cell is replaced by its own parts, so a missing
    Stadtbezirk value cannot hide that its Stadtteile still add up to the city."""
    members = dict(groups)

    def expand(key: Any) -> list[Any]:
        if key in present:
            return [key]
        return [leaf for child in members.get(key, []) for leaf in expand(child)]

    return [
        (total, [leaf for part in parts for leaf in expand(part)])
        for total, parts in groups
        if total in present
    ]


def protected_values(
    municipality: Municipality, indicator: Indicator, year: int
) -> dict[int | None, ValueRow]:
    """Every cell of the indicator in `year` (key: district id, None = municipality)
    after primary and secondary suppression. The only way values leave the app."""
    observations = list(
        Observation.objects.for_municipality(municipality).filter(indicator=indicator, year=year)
    )
    districts = list(districts_of(municipality))
    cells: dict[Any, disclosure.Cell] = {
        o.district_id: disclosure.Cell(
            o.district_id, o.value, o.value if indicator.is_count else o.numerator
        )
        for o in observations
    }
    groups = _flatten_groups(_groups(districts), set(cells))
    disclosure.suppress(cells, groups, indicator.disclosure_threshold)
    by_id = {d.pk: d for d in districts}
    rows: dict[int | None, ValueRow] = {}
    for o in observations:
        hidden = bool(cells[o.district_id].suppressed)
        rows[o.district_id] = ValueRow(
            district=by_id.get(o.district_id) if o.district_id else None,
            value=None if hidden else o.value,
            numerator=None if hidden else o.numerator,
            denominator=None if hidden else o.denominator,
            display=SUPPRESSED if hidden else _display(indicator, o.value),
            suppressed=hidden,
        )
    return rows


@dataclass(frozen=True)
class IndicatorTable:
    indicator: Indicator
    year: int
    municipality_row: ValueRow | None
    rows: list[ValueRow]  # districts in code order
    suppressed_count: int


def indicator_table(
    municipality: Municipality, indicator: Indicator, year: int, *, level: str | None = None
) -> IndicatorTable:
    """The indicator's values for `year`, district by district, under disclosure control."""
    values = protected_values(municipality, indicator, year)
    rows = [
        row
        for key, row in values.items()
        if key is not None and (level is None or (row.district and row.district.level == level))
    ]
    rows.sort(key=lambda row: row.district.code if row.district else "")
    return IndicatorTable(
        indicator=indicator,
        year=year,
        municipality_row=values.get(None),
        rows=rows,
        suppressed_count=sum(1 for row in values.values() if row.suppressed),
    )


def indicator_csv_rows(
    municipality: Municipality, indicator: Indicator, year: int
) -> list[list[str]]:
    """The indicator table as CSV rows (header first); suppressed cells are "."."""
    table = indicator_table(municipality, indicator, year)
    rows = [["Schlüssel", "Sozialraum", "Ebene", "Jahr", "Wert", "Zähler", "Nenner"]]

    def plain(value: float | None) -> str:
        return SUPPRESSED if value is None else f"{value:g}".replace(".", ",")

    all_rows = ([table.municipality_row] if table.municipality_row else []) + table.rows
    for row in all_rows:
        district = row.district
        rows.append(
            [
                district.code if district else municipality.official_key,
                district.name if district else municipality.name,
                district.level if district else "Kommune",
                str(year),
                plain(row.value),
                "" if row.numerator is None and not row.suppressed else plain(row.numerator),
                "" if row.denominator is None and not row.suppressed else plain(row.denominator),
            ]
        )
    return rows


# Need index ----------------------------------------------------------------------

STATUS_LABELS = {
    needindex.STATUS_LOW: _("low need"),
    needindex.STATUS_MEDIUM: _("medium need"),
    needindex.STATUS_HIGH: _("high need"),
    needindex.STATUS_VERY_HIGH: _("very high need"),
}
DYNAMICS_LABELS = {
    needindex.IMPROVING: _("improving"),
    needindex.STABLE: _("stable"),
    needindex.WORSENING: _("worsening"),
}


def need_index_weights(municipality: Municipality) -> QuerySet[NeedIndexWeight]:
    return NeedIndexWeight.objects.for_municipality(municipality).select_related("indicator")


def default_level(municipality: Municipality) -> str | None:
    """The finest district level (the one with the most districts)."""
    levels = district_levels(municipality)
    return levels[-1] if levels else None


@dataclass(frozen=True)
class NeedIndexRow:
    district: District
    result: needindex.Result | None  # None: not ranked (a value missing or suppressed)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.result.status]) if self.result else ""

    @property
    def dynamics_label(self) -> str:
        if self.result is None or self.result.dynamics is None:
            return ""
        return str(DYNAMICS_LABELS[self.result.dynamics])


@dataclass(frozen=True)
class NeedIndex:
    year: int
    earlier_year: int | None
    level: str | None
    weights: list[NeedIndexWeight]
    rows: list[NeedIndexRow]  # ranked, highest need first, then the unranked

    @property
    def ranked(self) -> list[NeedIndexRow]:
        return [row for row in self.rows if row.result is not None]


def _published(
    municipality: Municipality, indicator: Indicator, year: int, ids: set[int]
) -> dict[Any, float]:
    """The indicator's published (not suppressed) values of the districts `ids`."""
    values = protected_values(municipality, indicator, year)
    return {key: row.value for key, row in values.items() if key in ids and row.value is not None}


def need_index_years(municipality: Municipality) -> list[int]:
    weights = list(need_index_weights(municipality))
    if not weights:
        return []
    years = None
    for weight in weights:
        found = set(years_of(municipality, weight.indicator))
        years = found if years is None else years & found
    return sorted(years or [])


def need_index(municipality: Municipality, year: int, *, level: str | None = None) -> NeedIndex:
    """The municipality's need index for `year` over the districts of `level` (default:
    the finest), with two-year dynamics when the values of year − 2 exist. Inputs
    pass disclosure control first: a suppressed value leaves its district unranked."""
    weights = list(need_index_weights(municipality))
    level = level if level is not None else default_level(municipality)
    districts = [d for d in districts_of(municipality) if d.level == level]
    ids = {d.pk for d in districts}
    components = [
        needindex.Component(
            w.indicator.key, w.weight, w.indicator.direction == Direction.HIGHER_IS_WORSE
        )
        for w in weights
    ]
    current = {w.indicator.key: _published(municipality, w.indicator, year, ids) for w in weights}
    earlier_year = year - 2
    earlier: dict[str, dict[Any, float]] | None = {
        w.indicator.key: _published(municipality, w.indicator, earlier_year, ids) for w in weights
    }
    if earlier is not None and not any(earlier.values()):
        earlier, earlier_year = None, 0
    results = needindex.compute(components, current, earlier)
    rows = [NeedIndexRow(d, results.get(d.pk)) for d in districts]
    rows.sort(
        key=lambda row: (
            row.result is None,
            -(row.result.index if row.result else 0),
            row.district.code,
        )
    )
    return NeedIndex(year, earlier_year or None, level, weights, rows)
