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

Everything is loaded in a fixed number of queries and combined in Python.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from kette.core import geo
from kette.core.models import District, Municipality
from kette.directory.models import (
    LifePhase,
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


@dataclass
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


@dataclass
class GapAnalysis:
    year: int
    level: str | None
    life_phases: list[LifePhase]
    districts: list[District]
    rows: list[GapRow]  # districts in code order, life phases in order
    bands: dict[int, list[Indicator] | None]  # life phase id -> the bands used

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


def _age_band_indicators(municipality: Municipality, year: int) -> dict[tuple[int, int], Indicator]:
    """Count indicators with a parseable age band and values in `year`; the
    municipality's own indicator wins over a standard one with the same band."""
    with_data = Observation.objects.for_municipality(municipality).filter(year=year)
    candidates = (
        Indicator.objects.available_to(municipality)
        .filter(unit=Unit.COUNT, pk__in=with_data.values("indicator_id"))
        .exclude(age_band="")
        .order_by("sort_order", "name")
    )
    bands: dict[tuple[int, int], Indicator] = {}
    for indicator in candidates:
        months = band_months(indicator.age_band)
        if months is None:
            continue
        if months not in bands or (indicator.municipality_id and not bands[months].municipality_id):
            bands[months] = indicator
    return bands


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


def _overlaps(low: int | None, high: int | None, phase: LifePhase) -> bool:
    if low is None and high is None:
        return False
    lo = low if low is not None else -(10**6)
    hi = high if high is not None else 10**6
    return lo < phase.max_age_months and hi > phase.min_age_months


def gap_analysis(municipality: Municipality, year: int, *, level: str | None = None) -> GapAnalysis:
    """The gap analysis of `year` over the districts of `level` (default: the finest)."""
    all_districts = list(selectors.districts_of(municipality))
    if level is None:
        counts: dict[str, int] = defaultdict(int)
        for district in all_districts:
            counts[district.level] += 1
        level = max(counts, key=lambda lv: (counts[lv], lv)) if counts else None
    districts = [d for d in all_districts if d.level == level]
    phases = list(LifePhase.objects.for_municipality(municipality).order_by("position"))

    # Children per district and life phase, under disclosure control.
    bands = _age_band_indicators(municipality, year)
    chosen = {
        phase.pk: bands_for((phase.min_age_months, phase.max_age_months), bands) for phase in phases
    }
    needed = {ind.pk: ind for inds in chosen.values() for ind in inds or []}
    protected = selectors.protected_values_many(municipality, list(needed.values()), year)

    # Offers per district and life phase.
    ancestors, descendants = _relatives(all_districts)
    services = {
        row["pk"]: (row["min_age_months"], row["max_age_months"])
        for row in Service.objects.for_municipality(municipality)
        .filter(status=ServiceStatus.PUBLISHED)
        .values("pk", "min_age_months", "max_age_months")
    }
    serving: dict[int, set[int]] = defaultdict(set)  # district id -> service ids
    everywhere: set[int] = set()
    placed = list(
        ServiceAtLocation.objects.for_municipality(municipality)
        .filter(service_id__in=services.keys())
        .values_list(
            "service_id", "location__district_id", "location__latitude", "location__longitude"
        )
    )
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
    for service_id, district_id in (
        ServiceArea.objects.for_municipality(municipality)
        .filter(service_id__in=services.keys())
        .values_list("service_id", "district_id")
    ):
        if district_id is None:
            everywhere.add(service_id)
            continue
        for target in [district_id, *ancestors.get(district_id, []), *descendants[district_id]]:
            serving[target].add(service_id)

    # Need classes of the same year and level.
    need = selectors.need_index(municipality, year, level=level)
    need_of = {
        row.district.pk: (row.result.status, row.status_label)
        for row in need.rows
        if row.result is not None
    }

    rows: list[GapRow] = []
    for district in districts:
        offered = serving.get(district.pk, set()) | everywhere
        for phase in phases:
            indicators = chosen[phase.pk]
            children: float | None = None
            suppressed = False
            if indicators:
                cells = [protected[ind.pk].get(district.pk) for ind in indicators]
                suppressed = any(cell is not None and cell.suppressed for cell in cells)
                if all(cell is not None and cell.value is not None for cell in cells):
                    children = sum(cell.value for cell in cells if cell and cell.value)
            status, label = need_of.get(district.pk, (None, ""))
            rows.append(
                GapRow(
                    district=district,
                    life_phase=phase,
                    children=children,
                    children_suppressed=suppressed,
                    offers=sum(1 for pk in offered if _overlaps(*services[pk], phase)),
                    need_status=status,
                    need_label=label,
                    indicators=indicators or [],
                )
            )
    return GapAnalysis(year, level, phases, districts, rows, chosen)


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
