"""Gap analysis (issue 6): need against offers, per district and life phase.

For every district of one level and every life phase of the municipality:
- children: the published counts of the age-band indicators that together make
  up exactly the life phase's age range (e.g. "Kinder unter 3 Jahren" for
  0–36 months), after disclosure control; None when a band is suppressed,
  missing, or no set of bands fits the phase;
- offers: published offers whose age range overlaps the life phase (half-open
  months, as the directory derives life phases; an offer without any age is
  not counted) and that are in or for the district: a location in the district
  or one of its parts (found by its coordinates when it has no district yet),
  a service area for the district, a larger district containing it or one of
  its parts, or for the whole municipality;
- offers per 1,000 children (None when children are None or 0);
- the district's need class from the need index of the same year.

Everything is loaded in a fixed number of queries, whatever the number of
districts, offers and municipalities (`gap_analyses` computes all of NRW at
once), and combined on numpy arrays.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import Count, Q

from kette.core import audit, bulk, geo
from kette.core.models import District, Municipality
from kette.directory.models import (
    LifePhase,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
)
from kette.monitoring import selectors
from kette.monitoring.models import Indicator, Observation, Unit
from kette.monitoring.tables import format_number

_BAND = re.compile(r"^\s*(\d+)\s*[–-]\s*(\d+)\s*$")
_UNDER = re.compile(r"^\s*unter\s+(\d+)\s*$", re.IGNORECASE)


def band_months(age_band: str) -> tuple[int, int] | None:
    """An indicator's age band in years ("0–3", "unter 15") as half-open months."""
    match = _BAND.match(age_band)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
    else:
        match = _UNDER.match(age_band)
        if not match:
            return None
        low, high = 0, int(match.group(1))
    if high <= low:
        return None
    return low * 12, high * 12


def bands_for(
    phase: tuple[int, int], bands: dict[tuple[int, int], Indicator]
) -> list[Indicator] | None:
    """Bands that tile the phase exactly, from its start, longest band first; None
    when there is no such tiling."""
    start, end = phase
    chosen: list[Indicator] = []
    position = start
    while position < end:
        fitting = [(high, ind) for (low, high), ind in bands.items() if low == position]
        fitting = [(high, ind) for high, ind in fitting if high <= end]
        if not fitting:
            return None
        high, indicator = max(fitting, key=lambda item: item[0])
        chosen.append(indicator)
        position = high
    return chosen or None


@dataclass(slots=True)  # tens of thousands for all of NRW: slots build faster
class GapRow:
    district: District
    life_phase: LifePhase
    children: float | None  # None: suppressed, missing or no fitting age band
    children_suppressed: bool
    offers: int
    need_status: int | None
    need_label: str
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def per_1000(self) -> float | None:
        if not self.children:
            return None
        return self.offers * 1000 / self.children


@dataclass(frozen=True)
class NewerFigures:
    """A later year with child counts for a life phase that the analysis leaves
    aside because they cover fewer districts than the year it uses."""

    year: int
    districts: int  # districts of the level with counts of every band that year
    used_year: int
    used_districts: int  # the same in the year used


@dataclass
class GapAnalysis:
    year: int  # the population figures are of this year or earlier (`phase_years`)
    level: str | None
    life_phases: list[LifePhase]
    districts: list[District]
    rows: list[GapRow]  # districts in code order, life phases in order
    bands: dict[int, list[Indicator] | None]  # life phase id -> the bands used
    # life phase id -> the year of its child counts (None: no counts up to `year`)
    phase_years: dict[int, int | None] = field(default_factory=dict)
    # life phase id -> a later, less complete year left aside
    newer: dict[int, NewerFigures] = field(default_factory=dict)
    need_year: int | None = None  # the need index's year (None: no index)

    @property
    def data_years(self) -> list[int]:
        """The years of the child counts used, oldest first."""
        return sorted({y for y in self.phase_years.values() if y is not None})

    def phases_of_year(self) -> list[tuple[int, list[LifePhase]]]:
        """(year, the life phases whose child counts are of that year), newest first."""
        return [
            (year, [p for p in self.life_phases if self.phase_years.get(p.pk) == year])
            for year in reversed(self.data_years)
        ]

    @property
    def phases_without_counts(self) -> list[LifePhase]:
        return [p for p in self.life_phases if self.phase_years.get(p.pk) is None]

    @property
    def newer_left_aside(self) -> list[tuple[LifePhase, NewerFigures]]:
        """(life phase, the later year left aside), in life-phase order."""
        return [(p, self.newer[p.pk]) for p in self.life_phases if p.pk in self.newer]

    @property
    def priority(self) -> list[GapRow]:
        """High need first, then fewest offers per 1,000 children; rows without a
        need class or without a rate last."""
        return sorted(
            self.rows,
            key=lambda row: (
                row.need_status is None,
                -(row.need_status or 0),
                row.per_1000 is None,
                row.per_1000 if row.per_1000 is not None else 0.0,
                row.district.code,
                row.life_phase.position,
                row.life_phase.min_age_months,
            ),
        )

    def for_phase(self, phase: LifePhase) -> list[GapRow]:
        return [row for row in self.priority if row.life_phase.pk == phase.pk]


def _relatives(districts: list[District]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Ancestors and descendants of every district (ids)."""
    parent = {d.pk: d.parent_id for d in districts}
    ancestors: dict[int, list[int]] = {}
    descendants: dict[int, list[int]] = defaultdict(list)
    for district in districts:
        chain: list[int] = []
        current = parent.get(district.pk)
        while current is not None and current not in chain:
            chain.append(current)
            current = parent.get(current)
        ancestors[district.pk] = chain
        for ancestor in chain:
            descendants[ancestor].append(district.pk)
    return ancestors, descendants


def gap_analysis(
    municipality: Municipality,
    year: int,
    *,
    level: str | None = None,
    at: dt.datetime | None = None,
    need_year: int | None = None,
) -> GapAnalysis:
    """The gap analysis up to `year` over the districts of `level` (default: the
    finest): each life phase's children from the latest year up to `year` with
    complete counts (`_chosen_bands`), the need classes of the need index of
    `need_year` (default: `year`), the offers published now or, with `at`, at
    that moment as the change history records them; the same computation as
    `gap_analyses`, for one municipality."""
    districts = list(selectors.districts_of(municipality))
    if level is None:
        level = selectors.finest_level(districts)
    need_year = year if need_year is None else need_year
    need = selectors.need_index(municipality, need_year, level=level)
    statuses = {row.district.pk: row.result.status for row in need.rows if row.result is not None}
    analysis = _gap_analyses(
        [municipality], year, {municipality.pk: level}, {municipality.pk: districts}, statuses, at
    )[municipality.pk]
    analysis.need_year = need_year if statuses else None
    return analysis


def gap_analyses(municipalities: list[Municipality], year: int) -> dict[int, GapAnalysis]:
    """`gap_analysis` (finest level) of many municipalities, e.g. all of NRW for the
    coordination office (key: municipality id): the same rows, computed for all
    districts at once in a fixed number of queries (locations without a district
    are placed by coordinates, municipality by municipality)."""
    # Tens of thousands of rows stay alive until the end: the cyclic collector
    # would scan them again and again.
    with bulk.collector_paused():
        districts = selectors.districts_by_municipality(municipalities)
        statuses = selectors.need_statuses(municipalities, year, districts=districts)
        levels = {pk: selectors.finest_level(districts[pk]) for pk in districts}
        analyses = _gap_analyses(municipalities, year, levels, districts, statuses, None)
        for analysis in analyses.values():
            ranked = any(d.pk in statuses for d in analysis.districts)
            analysis.need_year = year if ranked else None
        return analyses


def _gap_analyses(
    municipalities: list[Municipality],
    year: int,
    levels: dict[int, str | None],
    districts: dict[int, list[District]],
    statuses: dict[int, int],
    at: dt.datetime | None,
) -> dict[int, GapAnalysis]:
    """The gap analyses of the municipalities over the districts of their level in
    `levels`, from their loaded districts and the need status classes of those
    districts (key: district id; of the same year): children per district × life
    phase and offers (published now, or at `at`) per district × life phase on
    numpy arrays."""
    ids = [m.pk for m in municipalities]
    phases: dict[int, list[LifePhase]] = {pk: [] for pk in ids}
    # Without their HSDS ids, which no gap analysis shows (a tenth of the time).
    for phase in (
        LifePhase.objects.filter(municipality__in=ids).defer("id_hsds").order_by("position", "pk")
    ):
        phases[phase.municipality_id].append(phase)
    shown = {pk: [d for d in districts[pk] if d.level == levels[pk]] for pk in ids}
    rows_of: list[District] = [d for pk in ids for d in shown[pk]]
    group = np.array([g for g, pk in enumerate(ids) for _d in shown[pk]], dtype=np.intp)
    width = max((len(p) for p in phases.values()), default=0)
    lows = np.zeros((len(ids), width))
    highs = np.zeros((len(ids), width))
    for g, pk in enumerate(ids):
        for column, phase in enumerate(phases[pk]):
            lows[g, column] = phase.min_age_months
            highs[g, column] = phase.max_age_months
    candidates: list[tuple[Indicator, tuple[int, int]]] = []
    for indicator in (
        Indicator.objects.filter(
            Q(municipality__isnull=True) | Q(municipality__in=ids), unit=Unit.COUNT
        )
        .exclude(age_band="")
        .order_by("sort_order", "name")
    ):
        months = band_months(indicator.age_band)
        if months is not None:
            candidates.append((indicator, months))
    band_ids = [i.pk for i, _m in candidates]
    # The year itself first: where its counts are complete for every life phase
    # (the usual case), no earlier year is read.
    observations = list(
        Observation.objects.filter(municipality__in=ids, year=year, indicator__in=band_ids)
        .order_by()
        .values_list(*selectors.OBSERVATION_FIELDS)
    )
    coverage = _rows_coverage(observations, shown)
    complete = {pk: len(shown[pk]) for pk in ids}
    chosen, band_years, newer, unsettled = _chosen_bands(
        ids, candidates, coverage, phases, complete
    )
    if unsettled:
        coverage.update(_band_coverage(unsettled, band_ids, year - 1, levels))
        chosen, band_years, newer, _unsettled = _chosen_bands(
            ids, candidates, coverage, phases, complete
        )
        earlier: dict[int, set[int]] = defaultdict(set)  # year -> indicator ids
        for pk in unsettled:
            for phase, tiling in chosen[pk].items():
                band_year = band_years[pk][phase]
                if band_year is not None and band_year != year:
                    earlier[band_year].update(i.pk for i in tiling or [])
        if earlier:
            matching = Q()
            for band_year, indicator_ids in earlier.items():
                matching |= Q(year=band_year, indicator__in=indicator_ids)
            # Rows of a band and year no life phase uses are left aside by `_children`.
            observations += (
                Observation.objects.filter(matching, municipality__in=unsettled)
                .order_by()
                .values_list(*selectors.OBSERVATION_FIELDS)
            )
    children, suppressed = _children(
        ids, observations, chosen, band_years, phases, districts, rows_of, group, width
    )
    offers = _offers(municipalities, districts, shown, rows_of, group, lows, highs, at)

    children_of = children.tolist()
    suppressed_of = suppressed.tolist()
    offers_of = offers.tolist()
    # Labels translated once, not for every row (gettext takes a tenth of the time).
    labels = {status: str(label) for status, label in selectors.STATUS_LABELS.items()}
    analyses: dict[int, GapAnalysis] = {}
    position = 0
    for pk in ids:
        columns = [(phase, chosen[pk][phase.pk] or []) for phase in phases[pk]]
        rows: list[GapRow] = []
        for district in shown[pk]:
            status = statuses.get(district.pk)
            label = "" if status is None else labels[status]
            children_in, suppressed_in, offers_in = (
                children_of[position],
                suppressed_of[position],
                offers_of[position],
            )
            for column, (phase, indicators) in enumerate(columns):
                value = children_in[column]
                rows.append(
                    GapRow(  # in field order (keywords take twice as long)
                        district,
                        phase,
                        None if value != value else value,  # NaN: no children
                        suppressed_in[column],
                        offers_in[column],
                        status,
                        label,
                        indicators,
                    )
                )
            position += 1
        analyses[pk] = GapAnalysis(
            year,
            levels[pk],
            phases[pk],
            shown[pk],
            rows,
            chosen[pk],
            {phase.pk: band_years[pk][phase.pk] for phase in phases[pk]},
            newer[pk],
        )
    return analyses


def _could_tile(
    pk: int,
    phase: LifePhase,
    candidates: list[tuple[Indicator, tuple[int, int]]],
    tilings: dict[tuple[object, ...], list[Indicator] | None],
) -> bool:
    """Whether the age bands of the municipality `pk` (its own and the standard
    ones, `candidates`), with values or not, could tile `phase`."""
    own = tuple(i.pk for i, _months in candidates if i.municipality_id == pk)
    key = ("any", own, phase.min_age_months, phase.max_age_months)
    if key not in tilings:
        bands = {
            months: indicator
            for indicator, months in candidates
            if indicator.municipality_id in (None, pk)
        }
        tilings[key] = bands_for((phase.min_age_months, phase.max_age_months), bands)
    return tilings[key] is not None


def _rows_coverage(
    rows: list[tuple[Any, ...]], shown: dict[int, list[District]]
) -> dict[tuple[int, int, int], int]:
    """`_band_coverage` of observation rows already read (`OBSERVATION_FIELDS`)."""
    if not rows:
        return {}
    table = np.array(rows, dtype=float)  # the whole municipality's district: NaN
    shown_ids = np.array([d.pk for districts in shown.values() for d in districts], dtype=float)
    inside = np.isin(table[:, 3], shown_ids)
    # (municipality, indicator, year) as one dense code: three 1-D uniques are far
    # quicker than a unique over rows
    values, codes = zip(
        *(np.unique(table[:, column], return_inverse=True) for column in range(3)), strict=True
    )
    code = (codes[0] * len(values[1]) + codes[1]) * len(values[2]) + codes[2]
    found, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=inside, minlength=len(found)).tolist()
    keys = table[first, :3].astype(np.int64).tolist()
    return {(m, i, y): int(n) for (m, i, y), n in zip(keys, counts, strict=True)}


def _band_coverage(
    ids: list[int], indicator_ids: list[int], year: int, levels: dict[int, str | None]
) -> dict[tuple[int, int, int], int]:
    """For every (municipality, age-band indicator, year up to `year`) with values:
    how many districts of the municipality's level in `levels` have one (0 when
    only other levels or the whole municipality do), counted by the database."""
    coverage: dict[tuple[int, int, int], int] = {}
    for municipality_id, indicator_id, found, level, count in (
        Observation.objects.filter(
            municipality__in=ids, indicator__in=indicator_ids, year__lte=year
        )
        .order_by()
        .values_list("municipality_id", "indicator_id", "year", "district__level")
        .annotate(count=Count("pk"))
    ):
        key = (municipality_id, indicator_id, found)
        # level None: the whole municipality's value
        shown = level is not None and level == levels.get(municipality_id)
        coverage[key] = coverage.get(key, 0) + (count if shown else 0)
    return coverage


def _chosen_bands(
    ids: list[int],
    candidates: list[tuple[Indicator, tuple[int, int]]],
    coverage: dict[tuple[int, int, int], int],
    phases: dict[int, list[LifePhase]],
    complete: dict[int, int],
) -> tuple[
    dict[int, dict[int, list[Indicator] | None]],
    dict[int, dict[int, int | None]],
    dict[int, dict[int, NewerFigures]],
    list[int],
]:
    """Per municipality and life phase (keys: municipality id, life phase id): the
    age-band count indicators that tile the phase, and the year of their counts.

    Statistics offices deliver age bands at different times, so every life phase
    has its own year: the latest year whose counts cover all districts of the
    level (`complete`: their number per municipality), else the latest of the
    years that cover the most; a later year left aside is named in the third
    result. `candidates`: count indicators with their age band in months, in
    catalogue order; `coverage`: districts with a value per (municipality id,
    indicator id, year) for the years read so far, see `_band_coverage`. The
    municipality's own indicator wins over a standard one with the same band.
    The fourth result: the municipalities with a life phase not settled by a
    complete year among those read (earlier years may decide it)."""
    per_year: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for (municipality_id, indicator_id, found), count in coverage.items():
        per_year[municipality_id][found][indicator_id] = count
    tilings: dict[tuple[object, ...], list[Indicator] | None] = {}
    chosen: dict[int, dict[int, list[Indicator] | None]] = {}
    years: dict[int, dict[int, int | None]] = {}
    newer: dict[int, dict[int, NewerFigures]] = {}
    unsettled: set[int] = set()
    for pk in ids:
        # (year, the phase's tiling then, districts it covers), newest first
        options: dict[int, list[tuple[int, list[Indicator], int]]] = defaultdict(list)
        for found in sorted(per_year[pk], reverse=True):
            counts = per_year[pk][found]
            bands: dict[tuple[int, int], Indicator] = {}
            for indicator, months in candidates:
                if indicator.municipality_id not in (None, pk) or indicator.pk not in counts:
                    continue
                if months not in bands or (
                    indicator.municipality_id and not bands[months].municipality_id
                ):
                    bands[months] = indicator
            # Most municipalities share the standard bands and phases: tile each once.
            shape = tuple(sorted((months, i.pk) for months, i in bands.items()))
            for phase in phases[pk]:
                span = (phase.min_age_months, phase.max_age_months)
                if (shape, span) not in tilings:
                    tilings[(shape, span)] = bands_for(span, bands)
                tiling = tilings[(shape, span)]
                if tiling:
                    covered = min(counts[i.pk] for i in tiling)
                    options[phase.pk].append((found, tiling, covered))
        chosen[pk], years[pk], newer[pk] = {}, {}, {}
        for phase in phases[pk]:
            found_options = options.get(phase.pk)
            if not found_options:
                chosen[pk][phase.pk], years[pk][phase.pk] = None, None
                # no year decides a phase no age bands fit (pregnancy, say)
                if _could_tile(pk, phase, candidates, tilings):
                    unsettled.add(pk)
                continue
            best = max(covered for _y, _t, covered in found_options)
            if best < complete[pk]:
                unsettled.add(pk)
            wanted = min(best, complete[pk])
            used, tiling, used_covered = next(o for o in found_options if o[2] >= wanted)
            chosen[pk][phase.pk], years[pk][phase.pk] = tiling, used
            latest, _tiling, covered = found_options[0]
            if latest != used:
                newer[pk][phase.pk] = NewerFigures(latest, covered, used, used_covered)
    return chosen, years, newer, [pk for pk in ids if pk in unsettled]


def _children(
    ids: list[int],
    observations: list[tuple[Any, ...]],
    chosen: dict[int, dict[int, list[Indicator] | None]],
    band_years: dict[int, dict[int, int | None]],
    phases: dict[int, list[LifePhase]],
    districts: dict[int, list[District]],
    rows_of: list[District],
    group: npt.NDArray[np.intp],
    width: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Children per shown district (rows) and life phase (columns): the sum of the
    published counts of the phase's bands, NaN when a band's count is suppressed
    or missing or no bands tile the phase; and whether a band's count is suppressed
    (`observations`: `OBSERVATION_FIELDS` rows of the bands' years, `band_years`
    per municipality and life phase)."""
    children = np.full((len(rows_of), width), np.nan)
    suppressed = np.zeros((len(rows_of), width), dtype=bool)
    needed = {
        i.pk: i for bands in chosen.values() for tiling in bands.values() for i in tiling or []
    }
    if not needed or not rows_of:
        return children, suppressed
    cells, published = selectors.protected_cells(observations, needed, districts)
    # A band is an indicator in one year (life phases may use different years),
    # numbered as indicator id × 10,000 + year to be looked up in one array.
    band_keys = sorted(
        {
            _band_key(indicator.pk, band_years[pk][phase])
            for pk, bands in chosen.items()
            for phase, tiling in bands.items()
            for indicator in tiling or []
        }
    )
    band_of = {key: column for column, key in enumerate(band_keys)}
    # Band values (NaN: missing or suppressed) and suppression per row × band.
    values = np.full((len(rows_of), len(band_keys)), np.nan)
    hidden = np.zeros((len(rows_of), len(band_keys)), dtype=bool)
    if len(cells):
        row_ids = np.array([d.pk for d in rows_of], dtype=np.int64)
        by_id = np.argsort(row_ids)
        district = cells[:, 3].astype(np.int64)
        row = by_id[np.minimum(np.searchsorted(row_ids[by_id], district), len(row_ids) - 1)]
        keys = np.array(band_keys, dtype=float)
        cell_keys = _band_key(cells[:, 1], cells[:, 2])
        band = np.minimum(np.searchsorted(keys, cell_keys), len(keys) - 1)
        shown = (row_ids[row] == district) & (keys[band] == cell_keys)
        values[row[shown & published], band[shown & published]] = cells[shown & published, 4]
        hidden[row[shown & ~published], band[shown & ~published]] = True
    # Each distinct tiling once over all rows, then picked per municipality × phase.
    tilings: dict[tuple[int, ...], int] = {}
    plan = np.full((len(ids), width), -1, dtype=np.intp)
    for g, pk in enumerate(ids):
        for column, phase in enumerate(phases[pk]):
            tiling = chosen[pk][phase.pk]
            if tiling:
                key = tuple(band_of[_band_key(i.pk, band_years[pk][phase.pk])] for i in tiling)
                plan[g, column] = tilings.setdefault(key, len(tilings))
    sums = np.full((len(tilings) + 1, len(rows_of)), np.nan)  # the last: no tiling
    any_hidden = np.zeros((len(tilings) + 1, len(rows_of)), dtype=bool)
    for key, number in tilings.items():
        total = values[:, key[0]].copy()
        for column in key[1:]:
            total += values[:, column]
        sums[number] = total
        any_hidden[number] = hidden[:, list(key)].any(axis=1)
    picked = plan[group]  # rows × phases: the tiling number, −1 for none
    at = np.arange(len(rows_of))[:, None]
    children = sums[picked, at]
    suppressed = any_hidden[picked, at]
    return children, suppressed


def _band_key(indicator: Any, year: Any) -> Any:
    """One number for an indicator in a year (ints, or float arrays of both)."""
    return indicator * 10_000 + year


def _offers(
    municipalities: list[Municipality],
    districts: dict[int, list[District]],
    shown: dict[int, list[District]],
    rows_of: list[District],
    group: npt.NDArray[np.intp],
    lows: npt.NDArray[np.float64],
    highs: npt.NDArray[np.float64],
    at: dt.datetime | None,
) -> npt.NDArray[np.int64]:
    """Published offers (now, or at `at`) per shown district (rows) and life phase
    (columns) whose age range overlaps the phase and that are in or for the district."""
    ids = [m.pk for m in municipalities]
    offers = np.zeros((len(rows_of), lows.shape[1]), dtype=np.int64)
    if at is None:
        services, placed, areas = _published_offers(ids)
    else:
        services, placed, areas = _published_offers_at(ids, at)
    if not services or not len(rows_of):
        return offers

    # (row or group, service) pairs: offers for one district, and for everywhere.
    pair_rows: list[int] = []
    pair_ranges: list[tuple[int | None, int | None]] = []
    everywhere_groups: list[int] = []
    everywhere_ranges: list[tuple[int | None, int | None]] = []
    first_row = 0
    for g, municipality in enumerate(municipalities):
        pk = municipality.pk
        serving, everywhere = _serving(municipality, districts[pk], placed[pk], areas[pk])
        for service_id in everywhere:
            everywhere_groups.append(g)
            everywhere_ranges.append(services[service_id])
        for position, district in enumerate(shown[pk]):
            for service_id in serving.get(district.pk, set()) - everywhere:
                pair_rows.append(first_row + position)
                pair_ranges.append(services[service_id])
        first_row += len(shown[pk])
    if pair_rows:
        offers += _overlapping(pair_rows, pair_ranges, group, lows, highs)
    if everywhere_groups:
        for_all = _overlapping(
            everywhere_groups, everywhere_ranges, np.arange(len(ids)), lows, highs
        )
        offers += for_all[group]
    return offers


_Offers = tuple[
    dict[int, tuple[int | None, int | None]],  # offer id -> age range in months
    dict[int, list[tuple[int, int | None, Any, Any]]],  # per municipality: places
    dict[int, list[tuple[int, int | None]]],  # per municipality: service areas
]


def _published_offers(ids: list[int]) -> _Offers:
    """The published offers of the municipalities with an age (an offer without any
    age counts for no life phase), their places (offer, district, latitude,
    longitude) and their service areas (offer, district; None: everywhere)."""
    services: dict[int, tuple[int | None, int | None]] = {
        pk: (low, high)
        for pk, low, high in Service.objects.filter(
            municipality__in=ids, status=ServiceStatus.PUBLISHED
        )
        .order_by()
        .values_list("pk", "min_age_months", "max_age_months")
        if low is not None or high is not None
    }
    placed: dict[int, list[tuple[int, int | None, Any, Any]]] = defaultdict(list)
    for service_id, municipality_id, located, lat, lon in (
        ServiceAtLocation.objects.filter(
            municipality__in=ids, service__status=ServiceStatus.PUBLISHED
        )
        .order_by()
        .values_list(
            "service_id",
            "municipality_id",
            "location__district_id",
            "location__latitude",
            "location__longitude",
        )
    ):
        if service_id in services:
            placed[municipality_id].append((service_id, located, lat, lon))
    areas: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for service_id, municipality_id, district_id in (
        ServiceArea.objects.filter(municipality__in=ids, service__status=ServiceStatus.PUBLISHED)
        .order_by()
        .values_list("service_id", "municipality_id", "district_id")
    ):
        if service_id in services:
            areas[municipality_id].append((service_id, district_id))
    return services, placed, areas


def _published_offers_at(ids: list[int], at: dt.datetime) -> _Offers:
    """`_published_offers` as they were at `at`, from the change history of the
    offers, their places and service areas (the districts are today's)."""
    scope = {"municipality_id__in": ids}
    services = {
        pk: (low, high)
        for pk, status, low, high in audit.rows_as_of(
            Service, at, ("id", "status", "min_age_months", "max_age_months"), **scope
        )
        if status == ServiceStatus.PUBLISHED and (low is not None or high is not None)
    }
    locations = {
        pk: (district_id, lat, lon)
        for pk, district_id, lat, lon in audit.rows_as_of(
            Location, at, ("id", "district_id", "latitude", "longitude"), **scope
        )
    }
    placed: dict[int, list[tuple[int, int | None, Any, Any]]] = defaultdict(list)
    for service_id, municipality_id, location_id in audit.rows_as_of(
        ServiceAtLocation, at, ("service_id", "municipality_id", "location_id"), **scope
    ):
        if service_id in services and location_id in locations:
            placed[municipality_id].append((service_id, *locations[location_id]))
    areas: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for service_id, municipality_id, district_id in audit.rows_as_of(
        ServiceArea, at, ("service_id", "municipality_id", "district_id"), **scope
    ):
        if service_id in services:
            areas[municipality_id].append((service_id, district_id))
    return services, placed, areas


def _overlapping(
    targets: list[int],
    ranges: list[tuple[int | None, int | None]],
    phase_group: npt.NDArray[np.intp],
    lows: npt.NDArray[np.float64],
    highs: npt.NDArray[np.float64],
) -> npt.NDArray[np.int64]:
    """Per target (row of the result) and life phase (column): how many of the
    (target, offer age range) pairs overlap the phase of the target's group
    (`phase_group`), in half-open months; an open end reaches any age."""
    at = np.array(targets, dtype=np.intp)
    low = np.array([-(10**6) if lo is None else lo for lo, _hi in ranges], dtype=float)
    high = np.array([10**6 if hi is None else hi for _lo, hi in ranges], dtype=float)
    phase_of = phase_group[at]
    counts = np.zeros((len(phase_group), lows.shape[1]), dtype=np.int64)
    for column in range(lows.shape[1]):
        overlap = (low < highs[phase_of, column]) & (high > lows[phase_of, column])
        counts[:, column] = np.bincount(at[overlap], minlength=len(phase_group))
    return counts


def _serving(
    municipality: Municipality,
    districts: list[District],
    placed: list[tuple[int, int | None, Any, Any]],
    areas: list[tuple[int, int | None]],
) -> tuple[dict[int, set[int]], set[int]]:
    """The offers in or for each district of the municipality (key: district id) and
    those for the whole municipality: a location in the district or one of its
    parts, a service area for the district, a larger district containing it or one
    of its parts."""
    ancestors, descendants = _relatives(districts)
    serving: dict[int, set[int]] = defaultdict(set)
    everywhere: set[int] = set()
    # A location without a district (e.g. created before the boundaries were
    # imported) is placed by its coordinates.
    locator = None
    if any(d is None and lat is not None and lon is not None for _s, d, lat, lon in placed):
        locator = geo.district_locator(municipality)
    for service_id, located, lat, lon in placed:
        district_id = located
        if district_id is None and locator is not None and lat is not None and lon is not None:
            district_id = locator.locate(float(lat), float(lon))
        if district_id is None:
            continue
        for target in [district_id, *ancestors.get(district_id, [])]:
            serving[target].add(service_id)
    for service_id, district_id in areas:
        if district_id is None:
            everywhere.add(service_id)
            continue
        for target in [district_id, *ancestors.get(district_id, []), *descendants[district_id]]:
            serving[target].add(service_id)
    return serving, everywhere


def gap_years(municipality: Municipality) -> list[int]:
    """Years with values of at least one age-band count indicator."""
    indicators = [
        i.pk
        for i in Indicator.objects.available_to(municipality)
        .filter(unit=Unit.COUNT)
        .exclude(age_band="")
        if band_months(i.age_band)
    ]
    return sorted(
        set(
            Observation.objects.for_municipality(municipality)
            .filter(indicator__in=indicators)
            .values_list("year", flat=True)
        )
    )


def need_year(municipality: Municipality, year: int) -> int | None:
    """The latest year up to `year` with a need index, whose classes a gap analysis
    up to `year` shows (None: none)."""
    earlier = [y for y in selectors.need_index_years(municipality) if y <= year]
    return earlier[-1] if earlier else None


def map_classes(rows: list[GapRow]) -> dict[int, tuple[int, str]]:
    """Quartile classes of offers per 1,000 children (district id -> class, range):
    class 4 holds the fewest offers (the largest gap), class 1 the most."""
    rated = sorted(
        ((row.per_1000, row.district.pk) for row in rows if row.per_1000 is not None),
        key=lambda item: (item[0], item[1]),
    )
    n = len(rated)
    values = [value for value, _pk in rated]
    groups: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for item in rated:
        # Equal values share a class: the rank of a value is its first position.
        groups[4 - (4 * bisect_left(values, item[0])) // n].append(item)
    result: dict[int, tuple[int, str]] = {}
    for klass, items in groups.items():
        low, high = items[0][0], items[-1][0]
        text = f"{format_number(low, 1)} – {format_number(high, 1)}"
        for _value, pk in items:
            result[pk] = (klass, text)
    return result


def class_ranges(classes: dict[int, tuple[int, str]]) -> list[tuple[int, str]]:
    return sorted({value for value in classes.values()})


def format_rate(value: float | None) -> str:
    """Offers per 1,000 children in German notation with one decimal, "–" when none."""
    return "–" if value is None else format_number(value, 1)
