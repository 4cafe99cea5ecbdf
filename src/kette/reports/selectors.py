"""Reads of the reports app: everything a report shows, assembled from the other
apps' selectors (reports reads everyone, nobody reads reports).

Reference dates: a report for `year` describes the state on 31 December of that
year (or today, while the year is running) and compares it with 1 January.
The offers of a past year (chain and gap analysis) are read from the directory's
change history as they were at the end of 31 December (`reference_moment`);
while the year runs, from the current tables.
Monitoring and gap analysis take the latest year with data up to the report's
year; every figure passes the monitoring app's disclosure control.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kette.core.collation import german
from kette.core.models import FundingPeriod, Municipality, Programme
from kette.directory import freshness
from kette.directory import selectors as directory
from kette.learning import selectors as learning
from kette.learning.models import Meeting, PracticeExampleStatus
from kette.monitoring import gaps as gap_methods
from kette.monitoring import selectors as monitoring
from kette.monitoring.models import Indicator
from kette.network import analytics
from kette.network import selectors as network
from kette.network.models import Body, BodyKind
from kette.reports import svg
from kette.reports.models import AnnualReport, Chapter, GeneratedReport, Goal

PRIORITY_ROWS = 15
NEED_INDEX_ROWS = 10
BROKERS = 5


def reports_of(municipality: Municipality) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.for_municipality(municipality).order_by("-year")


def report_for(municipality: Municipality, year: int) -> AnnualReport:
    try:
        return reports_of(municipality).get(year=year)
    except AnnualReport.DoesNotExist as error:
        raise Http404 from error


def goals_of(report: AnnualReport) -> QuerySet[Goal]:
    return Goal.objects.for_municipality(report.municipality).filter(report=report)


def generated_of(report: AnnualReport) -> QuerySet[GeneratedReport]:
    return GeneratedReport.objects.for_municipality(report.municipality).filter(report=report)


def generated_in(municipality: Municipality, year: int, pk: int) -> GeneratedReport:
    try:
        return GeneratedReport.objects.for_municipality(municipality).get(report__year=year, pk=pk)
    except GeneratedReport.DoesNotExist as error:
        raise Http404 from error


def texts_of(report: AnnualReport) -> dict[str, str]:
    return dict(report.texts.values_list("chapter", "text"))


def reference_dates(year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """1 January and 31 December of `year` (or `today` while the year runs)."""
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), max(today, dt.date(year, 1, 1)))


def reference_moment(end: dt.date, today: dt.date) -> dt.datetime | None:
    """The end of the reference day `end` (local time) when it lies in the past, the
    moment a past year's offer figures describe; None while it is today or later:
    then the current state."""
    if end >= today:
        return None
    next_day = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(next_day) - dt.timedelta(microseconds=1)


def _latest_up_to(years: list[int], year: int) -> int | None:
    earlier = [y for y in years if y <= year]
    return earlier[-1] if earlier else None


# The chain ------------------------------------------------------------------------


@dataclass
class ChainSection:
    matrix: directory.ChainMatrix
    offers: directory.OfferYear
    chart: str
    at: dt.datetime | None  # the past moment the figures describe; None: now


def chain_section(municipality: Municipality, year: int, at: dt.datetime | None) -> ChainSection:
    """The published offers at the moment `at` (None: now), what changed in `year`."""
    matrix = directory.chain_matrix(municipality, at=at)
    period = freshness.period(freshness.stale_after_months(municipality))
    offers = directory.offer_year(municipality, year, stale_after=period, at=at)
    chart = svg.bar_chart(
        [(phase.display_name, total) for phase, _cells, total in matrix.rows],
        label=_("Published offers per life phase"),
    )
    return ChainSection(matrix=matrix, offers=offers, chart=chart, at=at)


# Need and offers (gap analysis) ---------------------------------------------------------


@dataclass
class GapMap:
    life_phase: Any
    svg: str
    class_ranges: list[tuple[int, str]]


@dataclass
class GapSection:
    year: int | None
    analysis: gap_methods.GapAnalysis | None = None
    priority: list[gap_methods.GapRow] = field(default_factory=list)
    maps: list[GapMap] = field(default_factory=list)
    outline_sources: list[str] = field(default_factory=list)  # the maps' attribution


def gap_section(municipality: Municipality, year: int, at: dt.datetime | None) -> GapSection:
    """The gap analysis with each life phase's population figures of the latest
    complete year up to `year` (`gaps._chosen_bands`), the latest need index up to
    `year` and the offers published at the moment `at` (None: now)."""
    gap_year = _latest_up_to(gap_methods.gap_years(municipality), year)
    if gap_year is None:
        return GapSection(year=None)
    analysis = gap_methods.gap_analysis(
        municipality, gap_year, at=at, need_year=gap_methods.need_year(municipality, year)
    )
    priority = [row for row in analysis.priority if row.per_1000 is not None][:PRIORITY_ROWS]
    features = monitoring.districts_geojson(municipality, level=analysis.level)["features"]
    code_of = {d.pk: d.code for d in analysis.districts}
    maps = []
    for phase in analysis.life_phases:
        if not analysis.bands.get(phase.pk):
            continue
        classes = gap_methods.map_classes(analysis.for_phase(phase))
        fills = {code_of[pk]: svg.CLASS_COLOURS[klass] for pk, (klass, _text) in classes.items()}
        maps.append(
            GapMap(
                life_phase=phase,
                svg=svg.choropleth(
                    features,
                    fills,
                    label=_("Map: offers per 1,000 children, %(phase)s, by district")
                    % {"phase": phase.display_name},
                    width=420,
                ),
                class_ranges=gap_methods.class_ranges(classes),
            )
        )
    return GapSection(
        year=gap_year,
        analysis=analysis,
        priority=priority,
        maps=maps,
        outline_sources=monitoring.outline_sources(d.outline_source for d in analysis.districts),
    )


# Steering structure and network ------------------------------------------------------


@dataclass
class BodyChange:
    body: Body
    start: analytics.BodyQuality | None
    end: analytics.BodyQuality | None


@dataclass
class NetworkChange:
    start: analytics.NetworkMeasures
    end: analytics.NetworkMeasures
    brokers: list[tuple[str, float]]  # organisation name, betweenness on the end date
    cut_points: list[str]


@dataclass
class SteeringSection:
    start: dt.date
    end: dt.date
    bodies: list[BodyChange]
    network: NetworkChange


def steering_section(municipality: Municipality, start: dt.date, end: dt.date) -> SteeringSection:
    before = analytics.steering_quality(municipality, start)
    after = analytics.steering_quality(municipality, end)
    bodies = sorted(
        network.bodies_of(municipality),
        key=lambda b: (b.kind != BodyKind.STEERING_GROUP, b.parent_id is not None, b.name),
    )
    start_network = analytics.analyse_network(municipality, analytics.NetworkFilter(day=start))
    end_network = analytics.analyse_network(municipality, analytics.NetworkFilter(day=end))
    names = {pk: org.name for pk, org in end_network.organizations.items()}
    return SteeringSection(
        start=start,
        end=end,
        bodies=[BodyChange(body, before.get(body.pk), after.get(body.pk)) for body in bodies],
        network=NetworkChange(
            start=start_network.measures,
            end=end_network.measures,
            brokers=[(names[pk], b) for pk, b in end_network.measures.brokers[:BROKERS]],
            cut_points=[names[pk] for pk in end_network.measures.articulation_points],
        ),
    )


# Learning network ---------------------------------------------------------------------


@dataclass
class LearningSection:
    meetings_held: list[Meeting]
    meetings_attended: list[Meeting]
    rate: float | None  # attendance rate since the municipality's cohort
    talks: list[Any]
    practice_examples: list[Any]


def learning_section(municipality: Municipality, year: int, end: dt.date) -> LearningSection:
    if municipality.programme_id is None:
        return LearningSection([], [], None, [], [])
    statistics = learning.participation_statistics(municipality.programme, today=end)
    row = next((r for r in statistics.rows if r.municipality.pk == municipality.pk), None)
    held = [m for m in statistics.meetings if m.starts_on.year == year]
    attended = [m for m in held if row is not None and m.pk in row.attended]
    talks = [
        talk
        for talk in learning.accepted_talks_of(municipality)
        if talk.working_group.meeting.starts_on.year == year
    ]
    examples = [
        example
        for example in learning.practice_examples_of(municipality)
        if example.status == PracticeExampleStatus.PUBLISHED and example.created_at.year == year
    ]
    return LearningSection(held, attended, row.rate if row else None, talks, examples)


# Monitoring highlights ---------------------------------------------------------------------


@dataclass
class IndicatorHighlight:
    indicator: Indicator
    year: int
    municipality_value: str  # "." when suppressed, "" when not available
    lowest: tuple[str, str] | None  # (district name, display value)
    highest: tuple[str, str] | None
    suppressed: int


@dataclass
class MonitoringSection:
    need_index: monitoring.NeedIndex | None
    highest_need: list[monitoring.NeedIndexRow]
    indicators: list[IndicatorHighlight]


def monitoring_section(municipality: Municipality, year: int) -> MonitoringSection:
    index_year = _latest_up_to(monitoring.need_index_years(municipality), year)
    index = monitoring.need_index(municipality, index_year) if index_year else None
    level = monitoring.default_level(municipality)
    highlights = []
    for indicator in monitoring.indicators_with_data(municipality):
        found = _latest_up_to(monitoring.years_of(municipality, indicator), year)
        if found is None:
            continue
        table = monitoring.indicator_table(municipality, indicator, found, level=level)
        published = [
            (r.value, r.district.code, r.district.name, r.display)
            for r in table.rows
            if r.value is not None and r.district is not None
        ]
        low = min(published, default=None)
        high = max(published, default=None)
        highlights.append(
            IndicatorHighlight(
                indicator=indicator,
                year=found,
                municipality_value=table.municipality_row.display if table.municipality_row else "",
                lowest=(low[2], low[3]) if low else None,
                highest=(high[2], high[3]) if high else None,
                suppressed=table.suppressed_count,
            )
        )
    return MonitoringSection(
        need_index=index,
        highest_need=index.ranked[:NEED_INDEX_ROWS] if index else [],
        indicators=highlights,
    )


# The whole report ----------------------------------------------------------------------


@dataclass
class ChapterView:
    key: str
    title: str
    text: str


@dataclass
class ReportData:
    report: AnnualReport
    municipality: Municipality
    year: int
    start: dt.date
    end: dt.date
    generated_on: dt.date
    chapters: dict[str, ChapterView]
    goals: list[Goal]
    funding_periods: list[FundingPeriod]
    chain: ChainSection
    gaps: GapSection
    steering: SteeringSection
    learning: LearningSection
    monitoring: MonitoringSection


def report_data(report: AnnualReport, *, today: dt.date | None = None) -> ReportData:
    """Everything the report shows, computed now from the current data."""
    today = today or timezone.localdate()
    municipality = report.municipality
    start, end = reference_dates(report.year, today)
    at = reference_moment(end, today)
    texts = texts_of(report)
    chapters = {
        key: ChapterView(key=key, title=str(label), text=texts.get(key, ""))
        for key, label in Chapter.choices
    }
    return ReportData(
        report=report,
        municipality=municipality,
        year=report.year,
        start=start,
        end=end,
        generated_on=today,
        chapters=chapters,
        goals=list(goals_of(report)),
        funding_periods=list(FundingPeriod.objects.for_municipality(municipality)),
        chain=chain_section(municipality, report.year, at),
        gaps=gap_section(municipality, report.year, at),
        steering=steering_section(municipality, start, end),
        learning=learning_section(municipality, report.year, end),
        monitoring=monitoring_section(municipality, report.year),
    )


# Programme overview -------------------------------------------------------------------------


@dataclass
class OverviewRow:
    municipality: Municipality
    funding: str
    offers: int
    fresh_share: float | None
    steering_intersectorality: float | None
    steering_high_rank: float | None
    attendance_rate: float | None
    # indicator key -> (value or None when suppressed, display ("." when suppressed), year)
    indicators: dict[str, tuple[float | None, str, int]]
    # per shown key indicator: (display, "–" without a value; its year if not the column's)
    cells: list[tuple[str, int | None]] = field(default_factory=list)


@dataclass
class ProgrammeOverview:
    programme: Programme
    generated_on: dt.date
    key_indicators: list[tuple[Indicator, int]]  # indicator, latest year shown
    rows: list[OverviewRow]
    # key indicators no municipality has a value of: no column, named in a note
    without_data: list[Indicator] = field(default_factory=list)


KEY_INDICATORS = ("mindestsicherungsquote", "sgb2-quote-u15")


def programme_overview(programme: Programme, *, today: dt.date | None = None) -> ProgrammeOverview:
    """One row per municipality of the programme: cohort, funding, chain size and
    freshness, steering group measures, learning-network attendance, key indicators."""
    today = today or timezone.localdate()
    municipalities = list(
        Municipality.objects.filter(programme=programme).defer("boundary").order_by(german("name"))
    )
    participation = {
        row.municipality.pk: row
        for row in learning.participation_statistics(programme, today=today).rows
    }
    periods: dict[int, list[FundingPeriod]] = {}
    for period in FundingPeriod.objects.filter(municipality__in=municipalities).order_by(
        "starts_on"
    ):
        periods.setdefault(period.municipality_id, []).append(period)
    indicators = [
        i for i in Indicator.objects.filter(municipality__isnull=True, key__in=KEY_INDICATORS)
    ]
    rows = []
    shown_years: dict[int, set[int]] = {i.pk: set() for i in indicators}
    for municipality in municipalities:
        period = freshness.period(freshness.stale_after_months(municipality))
        offers = directory.offer_year(municipality, today.year, stale_after=period)
        quality = analytics.steering_quality(municipality, today)
        steering = [
            quality[b.pk]
            for b in network.bodies_of(municipality)
            if b.kind == BodyKind.STEERING_GROUP and b.pk in quality and quality[b.pk].members
        ]
        values = {}
        for indicator in indicators:
            year = _latest_up_to(monitoring.years_of(municipality, indicator), today.year)
            if year is None:
                continue
            cell = monitoring.protected_values(municipality, indicator, year).get(None)
            if cell is not None:
                values[indicator.key] = (cell.value, cell.display, year)
                shown_years[indicator.pk].add(year)
        found = participation.get(municipality.pk)
        funding = ", ".join(
            f"{p.starts_on:%Y}–{p.ends_on:%Y}" for p in periods.get(municipality.pk, [])
        )
        rows.append(
            OverviewRow(
                municipality=municipality,
                funding=funding,
                offers=offers.published,
                fresh_share=offers.fresh_share,
                steering_intersectorality=steering[0].intersectorality if steering else None,
                steering_high_rank=steering[0].high_rank if steering else None,
                attendance_rate=found.rate if found else None,
                indicators=values,
            )
        )
    key_indicators = [(i, max(shown_years[i.pk])) for i in indicators if shown_years[i.pk]]
    for row in rows:
        for indicator, year in key_indicators:
            value = row.indicators.get(indicator.key)
            if value is None:
                row.cells.append(("–", None))
            else:
                row.cells.append((value[1], value[2] if value[2] != year else None))
    without_data = [i for i in indicators if not shown_years[i.pk]]
    return ProgrammeOverview(programme, today, key_indicators, rows, without_data)
