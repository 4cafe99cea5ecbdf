"""Reads of the monitoring app: districts, indicator values under
disclosure control, and the need index. Everything that shows or exports
values goes through `indicator_table` (disclosure control) here."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from django.db.models import Count, Max, Min, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kette.core import bulk
from kette.core.collation import german
from kette.core.models import District, Municipality
from kette.core.text import german_decimal, sort_key
from kette.directory.models import Location, Service, ServiceArea
from kette.directory.selectors import in_name_order
from kette.monitoring import classify, disclosure, needindex
from kette.monitoring.models import (
    Direction,
    Indicator,
    NeedIndexWeight,
    Observation,
    RegionalObservation,
    Unit,
)
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
    return _levels(districts_of(municipality).values_list("level", flat=True))


def _levels(levels: Iterable[str]) -> list[str]:
    counts: dict[str, int] = {}
    for level in levels:
        counts[level] = counts.get(level, 0) + 1
    return sorted(counts, key=lambda level: (counts[level], level))


def districts_geojson(municipality: Municipality, *, level: str | None = None) -> dict[str, Any]:
    """The districts' simplified outlines as a FeatureCollection for maps, with
    the sources of the outlines shown (`attribution`, a foreign member the maps
    name in their attribution; absent when no district has a source)."""
    rows = District.objects.for_municipality(municipality).filter(boundary_simplified__isnull=False)
    if level is not None:
        rows = rows.filter(level=level)
    found = list(
        rows.order_by("code").values(
            "code", "name", "level", "boundary_simplified", "outline_source"
        )
    )
    features = [
        {
            "type": "Feature",
            "geometry": row["boundary_simplified"],
            "properties": {"code": row["code"], "name": row["name"], "level": row["level"]},
        }
        for row in found
    ]
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    sources = outline_sources(row["outline_source"] for row in found)
    if sources:
        collection["attribution"] = "; ".join(sources)
    return collection


def outline_sources(sources: Iterable[str]) -> list[str]:
    """The distinct sources among districts' `outline_source`s (empty ones left
    out), in German order: what a map of them names in its attribution and
    caption."""
    return sorted({source for source in sources if source}, key=sort_key)


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
    suppressed: bool
    decimals: int = 1

    @property
    def display(self) -> str:
        # Formatted when shown, not for every cell the need index reads.
        return SUPPRESSED if self.value is None else format_number(self.value, self.decimals)


def value_display(indicator: Indicator, value: float) -> str:
    """A value of the indicator as pages show it (counts without decimals)."""
    decimals = 0 if indicator.unit == Unit.COUNT else 1
    return format_number(value, decimals)


def _groups(districts: list[District]) -> list[tuple[Any, list[Any]]]:
    """Additivity groups: each district's children sum to it, and the top
    districts (without a parent) of each level sum to the municipality (key
    None), level by level: two layers that do not nest (Sozialräume and
    Planungsbezirke) each add up to the whole, not both together, and one
    group of both let a suppressed Sozialraum be computed from the total and
    the other Sozialräume. A district in a loop of parents counts as a top
    district (`districts_import` refuses loops; older data may hold one)."""
    parent_of = {district.pk: district.parent_id for district in districts}
    children: dict[Any, list[Any]] = {}
    for district in districts:
        parent = district.parent_id
        if parent is not None and _in_loop(district.pk, parent_of):
            parent = None
        key = ("top", district.level) if parent is None else parent
        children.setdefault(key, []).append(district.pk)
    return [(None if isinstance(key, tuple) else key, parts) for key, parts in children.items()]


def _in_loop(pk: Any, parent_of: dict[Any, Any]) -> bool:
    """Whether the chain of parents from district `pk` comes back to it."""
    seen = {pk}
    parent = parent_of.get(pk)
    while parent is not None:
        if parent == pk:
            return True
        if parent in seen:
            return False  # a loop above, not through `pk`
        seen.add(parent)
        parent = parent_of.get(parent)
    return False


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
        _cells(
            Observation.objects.for_municipality(municipality).filter(
                indicator=indicator, year=year
            )
        )
    )
    return _protect(indicator, observations, list(districts_of(municipality)))


def _cells(observations: QuerySet[Observation]) -> Iterable[Any]:
    """Observations as light named rows (what disclosure control reads), unordered:
    the model's default order joins the districts for nothing."""
    return observations.order_by().values_list(
        "indicator_id", "year", "district_id", "value", "numerator", "denominator", named=True
    )


def protected_values_many(
    municipality: Municipality, indicators: list[Indicator], year: int
) -> dict[int, dict[int | None, ValueRow]]:
    """`protected_values` of several indicators (key: indicator id) in two queries."""
    districts = list(districts_of(municipality)) if indicators else []
    grid = _protected_grid(municipality, indicators, [year], districts)
    return {i.pk: grid[(i.pk, year)] for i in indicators}


def _protected_grid(
    municipality: Municipality,
    indicators: list[Indicator],
    years: list[int],
    districts: list[District],
) -> dict[tuple[int, int], dict[int | None, ValueRow]]:
    """`protected_values` for every (indicator id, year) pair, in one query."""
    observations: dict[tuple[int, int], list[Any]] = {
        (i.pk, year): [] for i in indicators for year in years
    }
    if indicators and years:
        for o in _cells(
            Observation.objects.for_municipality(municipality).filter(
                indicator__in=[i.pk for i in indicators], year__in=years
            )
        ):
            observations[(o.indicator_id, o.year)].append(o)
    return {
        (i.pk, year): _protect(i, observations[(i.pk, year)], districts)
        for i in indicators
        for year in years
    }


# What the need index and the gap analysis read of an observation (disclosure
# control needs no denominator: every column less saves a tenth of the reading).
OBSERVATION_FIELDS = (
    "municipality_id",
    "indicator_id",
    "year",
    "district_id",
    "value",
    "numerator",
)
_CellRow = namedtuple(  # type: ignore[misc]
    "_CellRow", (*OBSERVATION_FIELDS[1:], "denominator"), defaults=(None,)
)


def protected_cells(
    rows: list[tuple[Any, ...]],
    indicators: dict[int, Indicator],
    districts: dict[int, list[District]],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Observations of many municipalities (`OBSERVATION_FIELDS` tuples, as
    `values_list` gives them) under disclosure control, as `_protect` decides it:
    an array of the district cells of `indicators` (columns municipality id,
    indicator id, year, district id, value) and whether each is published.
    Primary suppression is checked on the arrays; only (municipality, indicator,
    year) groups with a small count go through `_protect` for the secondary
    suppression (`districts`: each municipality's districts, key municipality id)."""
    if not rows or not indicators:
        return np.empty((0, 5)), np.empty(0, dtype=bool)
    table = np.array(rows, dtype=float)  # None (no district, no numerator): NaN
    known = np.array(sorted(indicators), dtype=float)
    at = np.minimum(np.searchsorted(known, table[:, 1]), len(known) - 1)
    keep = known[at] == table[:, 1]
    thresholds = np.array([indicators[int(pk)].disclosure_threshold for pk in known])[at]
    counted = np.array([indicators[int(pk)].is_count for pk in known])[at]
    count = np.where(counted, table[:, 4], table[:, 5])
    small = keep & (count > 0) & (count < thresholds)
    published = keep.copy()
    if small.any():
        for municipality_id, indicator_id, year in {
            (int(m), int(i), int(y)) for m, i, y in table[small, :3]
        }:
            members = np.flatnonzero(
                (table[:, 0] == municipality_id)
                & (table[:, 1] == indicator_id)
                & (table[:, 2] == year)
            ).tolist()
            protected = _protect(
                indicators[indicator_id],
                [_CellRow(*rows[member][1:]) for member in members],
                districts.get(municipality_id, []),
            )
            for member in members:
                if protected[rows[member][3]].suppressed:
                    published[member] = False
    with_district = keep & ~np.isnan(table[:, 3])
    return table[with_district, :5], published[with_district]


def _protect(
    indicator: Indicator,
    observations: list[Any],
    districts: list[District],
    by_id: dict[int, District] | None = None,
) -> dict[int | None, ValueRow]:
    """The observations after primary and secondary suppression. `by_id` (the
    districts by id) may be passed when many indicators share the districts."""
    threshold = indicator.disclosure_threshold
    counted = indicator.is_count
    cells: dict[Any, disclosure.Cell] = {
        o.district_id: disclosure.Cell(o.district_id, o.value, o.value if counted else o.numerator)
        for o in observations
    }
    # Without a small count nothing is suppressed: the groups are not needed.
    if any(disclosure.is_small(cell.count, threshold) for cell in cells.values()):
        groups = _flatten_groups(_groups(districts), set(cells))
        disclosure.suppress(cells, groups, threshold)
    if by_id is None:
        by_id = {d.pk: d for d in districts}
    decimals = 0 if counted else 1
    rows: dict[int | None, ValueRow] = {}
    for o in observations:
        hidden = bool(cells[o.district_id].suppressed)
        rows[o.district_id] = ValueRow(
            district=by_id.get(o.district_id) if o.district_id else None,
            value=None if hidden else o.value,
            numerator=None if hidden else o.numerator,
            denominator=None if hidden else o.denominator,
            suppressed=hidden,
            decimals=decimals,
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
        return SUPPRESSED if value is None else german_decimal(value)

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


def finest_level(districts: list[District]) -> str | None:
    """`default_level` of districts already loaded."""
    levels = _levels(d.level for d in districts)
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
    pass disclosure control first: a suppressed value leaves its district unranked.
    Three queries; the same computation as `need_indexes`, for one municipality."""
    weights = list(need_index_weights(municipality))
    all_districts = list(districts_of(municipality))
    rows: list[tuple[Any, ...]] = []
    if weights:
        rows = _index_observations(
            Observation.objects.for_municipality(municipality),
            [w.indicator_id for w in weights],
            year,
        )
    indexes = _need_indexes_of(
        year, level, {municipality.pk: weights}, {municipality.pk: all_districts}, rows
    )
    return indexes[municipality.pk]


def _index_observations(
    observations: QuerySet[Observation], indicator_ids: list[int], year: int
) -> list[tuple[Any, ...]]:
    """What the need index reads of `observations`: the weighted indicators in
    `year` and two years before (the change), as `OBSERVATION_FIELDS` tuples."""
    return list(
        observations.filter(indicator__in=indicator_ids, year__in=[year, year - 2])
        .order_by()
        .values_list(*OBSERVATION_FIELDS)
    )


def districts_by_municipality(municipalities: list[Municipality]) -> dict[int, list[District]]:
    """The districts of many municipalities without their geometry, in code order
    (key: municipality id), in one query."""
    districts: dict[int, list[District]] = {m.pk: [] for m in municipalities}
    rows = District.objects.filter(municipality__in=list(districts)).order_by("code")
    for district in bulk.loaded(rows, DISTRICT_ATTRIBUTES):
        districts[district.municipality_id].append(district)
    return districts


# what the pages and analyses read of many districts (not their outlines)
DISTRICT_ATTRIBUTES = [
    f.attname
    for f in District._meta.concrete_fields
    if f.name not in ("boundary", "boundary_simplified")
]


def need_indexes(
    municipalities: list[Municipality],
    year: int,
    *,
    districts: dict[int, list[District]] | None = None,
) -> dict[int, NeedIndex]:
    """`need_index` (finest level) of many municipalities, e.g. all of NRW for the
    coordination office (key: municipality id): the same numbers, computed for all
    districts at once, in four queries (three with `districts`, the municipalities'
    districts as `districts_by_municipality` gives them)."""
    # Thousands of rows, weights and districts stay alive until the end: the cyclic
    # collector would scan them again and again (a third of the time).
    with bulk.collector_paused():
        return _need_indexes(municipalities, year, districts)


def need_statuses(
    municipalities: list[Municipality], year: int, *, districts: dict[int, list[District]]
) -> dict[int, int]:
    """The status class of every ranked district of the municipalities' finest
    levels (key: district id): the statuses of `need_indexes`, without building
    the indexes' weights, rows and results (what the gap analyses need of them);
    three queries."""
    ids = [m.pk for m in municipalities]
    weights: dict[int, list[_Component]] = {pk: [] for pk in ids}
    # In the weights' own order (the summation order), as need_indexes reads them.
    chosen = list(
        NeedIndexWeight.objects.filter(municipality__in=ids).values_list(
            "municipality_id", "indicator_id", "weight"
        )
    )
    indicators = Indicator.objects.in_bulk({indicator for _m, indicator, _w in chosen})
    for municipality_id, indicator_id, weight in chosen:
        weights[municipality_id].append(_Component(indicator_id, indicators[indicator_id], weight))
    rows = _index_observations(
        Observation.objects.filter(municipality__in=ids), list(indicators), year
    )
    arrays = _need_arrays(year, None, weights, districts, rows)
    ranked = arrays.results.ranked.tolist()
    status = arrays.results.status.tolist()
    return {district.pk: status[at] for at, district in enumerate(arrays.shown) if ranked[at]}


def _need_indexes(
    municipalities: list[Municipality],
    year: int,
    districts: dict[int, list[District]] | None,
) -> dict[int, NeedIndex]:
    ids = [m.pk for m in municipalities]
    weights: dict[int, list[NeedIndexWeight]] = {pk: [] for pk in ids}
    chosen = list(NeedIndexWeight.objects.filter(municipality__in=ids))
    # Municipalities mostly weight the same standard indicators: one instance each.
    indicators = Indicator.objects.in_bulk({w.indicator_id for w in chosen})
    for weight in chosen:
        weight.indicator = indicators[weight.indicator_id]
        weights[weight.municipality_id].append(weight)
    if districts is None:
        districts = districts_by_municipality(municipalities)
    rows = _index_observations(
        Observation.objects.filter(municipality__in=ids), list(indicators), year
    )
    return _need_indexes_of(year, None, weights, districts, rows)


class _Component(NamedTuple):
    """What the computation reads of a `NeedIndexWeight`."""

    indicator_id: int
    indicator: Indicator
    weight: float


@dataclass(frozen=True)
class _NeedArrays:
    levels: dict[int, str | None]  # key: municipality id
    shown: list[District]  # the districts of the level, municipality by municipality
    shown_group: list[int]  # each one's municipality (position in the input)
    group: npt.NDArray[np.intp]
    results: needindex.GroupedResults


def _need_arrays(
    year: int,
    level: str | None,
    weights: Mapping[int, Sequence[NeedIndexWeight | _Component]],
    districts: dict[int, list[District]],
    rows: list[tuple[Any, ...]],
) -> _NeedArrays:
    """The need index of the municipalities in `weights` (key: municipality id)
    over the districts of `level` (None: each one's finest) from their loaded
    weights, districts and observations (`OBSERVATION_FIELDS` tuples; others'
    indicators are ignored), under disclosure control, with numpy
    (`needindex.compute_grouped`), as arrays over the districts shown."""
    ids = list(weights)
    groups = len(ids)
    levels: dict[int, str | None] = {}
    shown: list[District] = []
    shown_group: list[int] = []
    for position, pk in enumerate(ids):
        levels[pk] = level if level is not None else finest_level(districts[pk])
        # In code order: the ranking's tie-breaker and the order of the unranked.
        chosen = sorted((d for d in districts[pk] if d.level == levels[pk]), key=attrgetter("code"))
        shown.extend(chosen)
        shown_group.extend([position] * len(chosen))
    group = np.array(shown_group, dtype=np.intp)
    columns = max((len(w) for w in weights.values()), default=0)
    weight_of = np.zeros((groups, columns))
    higher_is_worse = np.zeros((groups, columns), dtype=bool)
    slots: dict[tuple[int, int], tuple[int, int]] = {}
    indicators: dict[int, Indicator] = {}
    for position, pk in enumerate(ids):
        for column, weight in enumerate(weights[pk]):
            weight_of[position, column] = weight.weight
            higher_is_worse[position, column] = (
                weight.indicator.direction == Direction.HIGHER_IS_WORSE
            )
            slots[(pk, weight.indicator_id)] = (position, column)
            indicators[weight.indicator_id] = weight.indicator
    current = np.full((len(shown), columns), np.nan)
    earlier = np.full((len(shown), columns), np.nan)
    cells, published = protected_cells(rows, indicators, districts)
    cells = cells[published]
    if len(cells) and slots and shown:
        # Each published cell's component (group, column) and district row.
        municipality = cells[:, 0].astype(np.int64)
        indicator = cells[:, 1].astype(np.int64)
        keys = sorted(slots)
        stride = max(max(i for _m, i in keys), int(indicator.max())) + 1
        slot_keys = np.array([m * stride + i for m, i in keys], dtype=np.int64)
        cell_keys = municipality * stride + indicator
        found = np.minimum(np.searchsorted(slot_keys, cell_keys), len(keys) - 1)
        slot = np.array([slots[key] for key in keys], dtype=np.intp)[found]
        shown_ids = np.array([d.pk for d in shown], dtype=np.int64)
        by_id = np.argsort(shown_ids)
        district = cells[:, 3].astype(np.int64)
        at = np.minimum(np.searchsorted(shown_ids[by_id], district), len(shown) - 1)
        row = by_id[at]
        chosen_cell = (
            (slot_keys[found] == cell_keys)
            & (shown_ids[row] == district)
            & (group[row] == slot[:, 0])
        )
        for target, wanted in ((current, year), (earlier, year - 2)):
            use = chosen_cell & (cells[:, 2] == wanted)
            target[row[use], slot[use, 1]] = cells[use, 4]
    results = needindex.compute_grouped(group, groups, current, earlier, weight_of, higher_is_worse)
    return _NeedArrays(levels, shown, shown_group, group, results)


def _need_indexes_of(
    year: int,
    level: str | None,
    weights: dict[int, list[NeedIndexWeight]],
    districts: dict[int, list[District]],
    rows: list[tuple[Any, ...]],
) -> dict[int, NeedIndex]:
    """`_need_arrays` as need indexes (key: municipality id): the rows ranked."""
    arrays = _need_arrays(year, level, weights, districts, rows)
    ids = list(weights)
    shown, shown_group, group, results = (
        arrays.shown,
        arrays.shown_group,
        arrays.group,
        arrays.results,
    )
    ranked = results.ranked.tolist()
    index = results.index.tolist()
    standardised = results.standardised.tolist()
    status = results.status.tolist()
    with_dynamics = results.with_dynamics.tolist()
    change = results.change.tolist()
    change_standardised = results.change_standardised.tolist()
    dynamics = results.dynamics.tolist()
    # Highest need first, then the unranked; ties and the unranked in code order.
    order = np.lexsort(
        (
            np.arange(len(shown)),
            np.where(results.ranked, -np.nan_to_num(results.index), 0.0),
            ~results.ranked,
            group,
        )
    ).tolist()
    need_rows: list[list[NeedIndexRow]] = [[] for _pk in ids]
    for at in order:
        result = None
        if ranked[at]:
            moved = with_dynamics[at]
            result = needindex.Result(  # in field order: index, standardised, status, …
                index[at],
                standardised[at],
                status[at],
                change[at] if moved else None,
                change_standardised[at] if moved else None,
                dynamics[at] if moved else None,
            )
        need_rows[shown_group[at]].append(NeedIndexRow(shown[at], result))
    earlier_found = results.earlier.tolist()
    return {
        pk: NeedIndex(
            year,
            year - 2 if earlier_found[position] else None,
            arrays.levels[pk],
            weights[pk],
            need_rows[position],
        )
        for position, pk in enumerate(ids)
    }


# Choropleth of one indicator ----------------------------------------------------------

SORT_KEYS = ("code", "name", "value")


@dataclass(frozen=True)
class MapRow:
    """A district's published cell with its class (0 and no colour when suppressed
    or without a value)."""

    district: District
    cell: ValueRow | None  # None: no observation
    klass: int
    colour: str

    @property
    def display(self) -> str:
        return self.cell.display if self.cell else "–"

    @property
    def suppressed(self) -> bool:
        return bool(self.cell and self.cell.suppressed)


@dataclass(frozen=True)
class Choropleth:
    indicator: Indicator
    year: int
    level: str | None
    classification: classify.Classification
    municipality_row: ValueRow | None
    rows: list[MapRow]  # every district of the level, in the requested order
    suppressed_count: int

    def legend_label(self, klass: classify.Klass) -> str:
        """ "12,5 bis unter 20,0"; the outer standard-deviation classes are open."""
        low = None if klass.low is None else value_display(self.indicator, klass.low)
        high = None if klass.high is None else value_display(self.indicator, klass.high)
        last = klass.number == len(self.classification.legend)
        if low is None:
            return str(_("below %(high)s") % {"high": high})
        if high is None:
            return str(_("%(low)s and more") % {"low": low})
        if last:
            return str(_("%(low)s to %(high)s") % {"low": low, "high": high})
        return str(_("%(low)s to below %(high)s") % {"low": low, "high": high})

    @property
    def legend(self) -> list[tuple[classify.Klass, str]]:
        return [(k, self.legend_label(k)) for k in self.classification.legend]


def choropleth(
    municipality: Municipality,
    indicator: Indicator,
    year: int,
    *,
    level: str | None,
    method: str,
    classes: int,
    sort: str = "code",
    descending: bool = False,
) -> Choropleth:
    """One indicator's published values for the districts of `level`, classified
    for a map (suppressed values take no part in the classification)."""
    values = protected_values(municipality, indicator, year)
    districts = [d for d in districts_of(municipality) if d.level == level]
    published: dict[object, float] = {}
    for d in districts:
        value = values[d.pk].value if d.pk in values else None
        if value is not None:
            published[d.pk] = value
    classification = classify.classify(
        published, method=method, classes=classes, direction=indicator.direction
    )
    rows = [
        MapRow(
            district=d,
            cell=values.get(d.pk),
            klass=classification.numbers.get(d.pk, 0),
            colour=classification.colours.get(d.pk, ""),
        )
        for d in districts
    ]
    if sort not in SORT_KEYS:
        sort = "code"
    if sort == "value":
        # Districts without a published value last, whatever the direction.
        with_value = [r for r in rows if r.cell and r.cell.value is not None]
        without = [r for r in rows if not (r.cell and r.cell.value is not None)]
        with_value.sort(key=lambda r: published[r.district.pk], reverse=descending)
        rows = with_value + sorted(without, key=lambda r: r.district.code)
    else:
        rows.sort(key=lambda r: getattr(r.district, sort), reverse=descending)
    return Choropleth(
        indicator=indicator,
        year=year,
        level=level,
        classification=classification,
        municipality_row=values.get(None),
        rows=rows,
        suppressed_count=sum(1 for r in rows if r.suppressed),
    )


# District profile and comparison -------------------------------------------------------


def district_of(municipality: Municipality, code: str) -> District:
    """The municipality's district with `code`, or 404."""
    found = districts_of(municipality).filter(code=code).first()
    if found is None:
        raise Http404
    return found


def _cell_display(cell: ValueRow | None) -> str:
    return cell.display if cell else "–"


@dataclass(frozen=True)
class ProfileIndicator:
    """One indicator's published time series for the chosen districts beside the
    mean of the published values of all districts of their level."""

    indicator: Indicator
    years: list[int]
    cells: list[dict[int, ValueRow | None]]  # per chosen district: year → cell
    means: dict[int, float | None]  # year → mean over the level's published values

    @property
    def table(self) -> list[tuple[int, list[str], str]]:
        """(year, displays per district, displayed mean) for the data table."""
        return [
            (
                year,
                [_cell_display(cells.get(year)) for cells in self.cells],
                self.mean_display(year),
            )
            for year in self.years
        ]

    def mean_display(self, year: int) -> str:
        mean = self.means.get(year)
        return "–" if mean is None else format_number(mean, 1)

    def series_values(self) -> list[dict[int, float | None]]:
        return [
            {year: cell.value if cell else None for year, cell in cells.items()}
            for cells in self.cells
        ]


def district_profile(municipality: Municipality, chosen: list[District]) -> list[ProfileIndicator]:
    """Every indicator with a value for one of the `chosen` districts (of one level),
    year by year, under disclosure control; in three queries."""
    if not chosen:
        return []
    districts = list(districts_of(municipality))
    level_ids = {d.pk for d in districts if d.level == chosen[0].level}
    chosen_ids = {d.pk for d in chosen}
    indicators = {i.pk: i for i in indicators_with_data(municipality)}
    grouped: dict[tuple[int, int], list[Any]] = {}
    wanted: set[int] = set()
    for o in _cells(
        Observation.objects.for_municipality(municipality).filter(indicator__in=list(indicators))
    ):
        grouped.setdefault((o.indicator_id, o.year), []).append(o)
        if o.district_id in chosen_ids:
            wanted.add(o.indicator_id)
    result = []
    for indicator in indicators.values():
        if indicator.pk not in wanted:
            continue
        years = sorted(year for key, year in grouped if key == indicator.pk)
        cells: list[dict[int, ValueRow | None]] = [{} for _d in chosen]
        means: dict[int, float | None] = {}
        for year in years:
            protected = _protect(indicator, grouped[(indicator.pk, year)], districts)
            for position, district in enumerate(chosen):
                cells[position][year] = protected.get(district.pk)
            published = [
                row.value
                for key, row in protected.items()
                if key in level_ids and row.value is not None
            ]
            means[year] = sum(published) / len(published) if published else None
        result.append(ProfileIndicator(indicator, years, cells, means))
    return result


# The coordination office's comparison of all municipalities of the state --------------

KIND_KREIS = "kreis"
KIND_GEMEINDE = "gemeinde"
REGION_KINDS = {
    KIND_KREIS: _("Kreise and kreisfreie Städte"),
    KIND_GEMEINDE: _("Gemeinden"),
}


def region_kind(key: str) -> str | None:
    """Kreis level (5-digit official key) or Gemeinde (8 digits); None for the state
    and Regierungsbezirke."""
    return {5: KIND_KREIS, 8: KIND_GEMEINDE}.get(len(key))


def comparable_indicators() -> QuerySet[Indicator]:
    """Standard indicators with values for the regions of the state."""
    ids = RegionalObservation.objects.values("indicator_id")
    return Indicator.objects.filter(municipality__isnull=True, pk__in=ids).order_by(
        "sort_order", "name"
    )


def comparison_years(indicator: Indicator) -> list[int]:
    return sorted(
        set(RegionalObservation.objects.filter(indicator=indicator).values_list("year", flat=True))
    )


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    name: str
    kind: str
    value: float | None  # None: suppressed
    display: str
    rank: int | None
    municipality: Municipality | None  # the programme municipality with this key


@dataclass(frozen=True)
class StateComparison:
    indicator: Indicator
    year: int
    kind: str
    state: ComparisonRow | None  # the whole state, for reference
    rows: list[ComparisonRow]  # highest value first

    @property
    def programme_rows(self) -> list[ComparisonRow]:
        return [row for row in self.rows if row.municipality is not None]


def state_comparison(
    programme: Any, indicator: Indicator, year: int, *, kind: str = KIND_KREIS
) -> StateComparison:
    """Every region of `kind` with a value of the indicator in `year`, ranked from the
    highest value (1) down, the programme's municipalities marked, the state's own
    value beside them. Counts pass primary suppression like every value."""
    found = list(RegionalObservation.objects.filter(indicator=indicator, year=year))
    cells: dict[Hashable, disclosure.Cell] = {
        o.region_key: disclosure.Cell(
            o.region_key, o.value, o.value if indicator.is_count else None
        )
        for o in found
    }
    disclosure.suppress(cells, [], indicator.disclosure_threshold)
    members: dict[str, Municipality] = {}
    for municipality in Municipality.objects.filter(programme=programme):
        members[municipality.official_key] = municipality
    ranked = sorted(
        (
            o
            for o in found
            if region_kind(o.region_key) == kind and not cells[o.region_key].suppressed
        ),
        key=lambda o: -o.value,
    )
    ranks: dict[str, int] = {}
    for position, o in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        ranks[o.region_key] = (
            ranks[previous.region_key] if previous and previous.value == o.value else position
        )

    def row(o: RegionalObservation) -> ComparisonRow:
        hidden = bool(cells[o.region_key].suppressed)
        municipality = members.get(o.region_key) or (
            members.get(o.region_key + "000") if len(o.region_key) == 5 else None
        )
        return ComparisonRow(
            key=o.region_key,
            name=o.region_name,
            kind=region_kind(o.region_key) or "",
            value=None if hidden else o.value,
            display=SUPPRESSED if hidden else value_display(indicator, o.value),
            rank=ranks.get(o.region_key),
            municipality=municipality,
        )

    state = next((o for o in found if len(o.region_key) == 2), None)
    rows = [row(o) for o in ranked] + [
        row(o)
        for o in sorted(found, key=lambda o: o.region_key)
        if region_kind(o.region_key) == kind and cells[o.region_key].suppressed
    ]
    return StateComparison(indicator, year, kind, row(state) if state else None, rows)


def state_comparison_csv_rows(comparison: StateComparison) -> list[list[str]]:
    """The comparison as CSV rows (header first); suppressed values are "."."""
    rows = [["Rang", "Schlüssel", "Gebiet", "Programmkommune", "Jahr", "Wert"]]
    everything = comparison.rows + ([comparison.state] if comparison.state else [])
    for row in everything:
        rows.append(
            [
                str(row.rank or ""),
                row.key,
                row.name,
                "ja" if row.municipality else "",
                str(comparison.year),
                SUPPRESSED if row.value is None else german_decimal(row.value),
            ]
        )
    return rows


# Deleting wrong data ------------------------------------------------------------------


@dataclass(frozen=True)
class StoredValues:
    """How many values of an indicator are stored, and for which years."""

    indicator: Indicator
    count: int
    first_year: int
    last_year: int


def stored_values(observations: QuerySet[Observation]) -> list[StoredValues]:
    """The observations counted per indicator, in catalogue order."""
    rows = (
        observations.values("indicator")
        .annotate(count=Count("pk"), first=Min("year"), last=Max("year"))
        .order_by()
    )
    counts = {row["indicator"]: row for row in rows}
    indicators = Indicator.objects.filter(pk__in=counts).order_by("sort_order", "name")
    return [
        StoredValues(i, counts[i.pk]["count"], counts[i.pk]["first"], counts[i.pk]["last"])
        for i in indicators
    ]


@dataclass(frozen=True)
class DistrictDeletion:
    """What goes with a district when it is deleted (`services.district_delete`):
    its indicator `values`; its `children` stay, under its parent or as top
    districts; its `places` stay and get the district their coordinates lie in
    (if any); the `offers` meant for it lose that service area, and those of
    them in `offers_without_area` have none left."""

    district: District
    values: list[StoredValues]
    children: list[District]
    places: list[Location]
    offers: list[Service]
    offers_without_area: list[Service]

    @property
    def value_count(self) -> int:
        return sum(v.count for v in self.values)


def district_deletion(municipality: Municipality, district: District) -> DistrictDeletion:
    """Everything that refers to the municipality's `district` (its values, child
    districts, the offers' places and service areas), read before it is deleted."""
    areas = ServiceArea.objects.for_municipality(municipality)
    offer_ids = areas.filter(district=district).values("service_id")
    other_areas = areas.exclude(district=district).values("service_id")
    offers = list(
        in_name_order(Service.objects.for_municipality(municipality).filter(pk__in=offer_ids))
    )
    alone = set(
        Service.objects.filter(pk__in=offer_ids)
        .exclude(pk__in=other_areas)
        .values_list("pk", flat=True)
    )
    return DistrictDeletion(
        district=district,
        values=stored_values(
            Observation.objects.for_municipality(municipality).filter(district=district)
        ),
        children=list(districts_of(municipality).filter(parent=district)),
        places=list(
            Location.objects.for_municipality(municipality)
            .filter(district=district)
            .order_by(german("name"), "pk")
        ),
        offers=offers,
        offers_without_area=[offer for offer in offers if offer.pk in alone],
    )
