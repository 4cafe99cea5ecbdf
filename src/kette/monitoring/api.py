"""JSON API of the monitoring app: indicators, their values per district under
disclosure control, and the need index of a municipality.

Internal working data: the caller needs the `monitoring.read_indicators`
permission for the municipality (session login). Values come only from the
selectors that apply disclosure control; a suppressed value is `null` with
`suppressed: true`, as "." on the pages.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from kette.core.api import municipality_for
from kette.core.models import Municipality
from kette.monitoring import selectors

router = Router(tags=["Monitoring"])


def _municipality(request: HttpRequest, slug: str) -> Municipality:
    return municipality_for(request, slug, "monitoring.read_indicators")


class IndicatorOut(Schema):
    key: str
    name: str
    unit: str
    direction: str
    source: str
    age_band: str
    disclosure_threshold: int
    years: list[int]


class ValueOut(Schema):
    district_code: str | None  # None: the whole municipality
    district_name: str
    level: str
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool


class NeedIndexRowOut(Schema):
    district_code: str
    district_name: str
    index: float | None
    status: int | None
    status_label: str
    dynamics: str | None
    type: str | None


class NeedIndexOut(Schema):
    year: int
    earlier_year: int | None
    level: str | None
    weights: dict[str, float]
    rows: list[NeedIndexRowOut]


@router.get(
    "/k/{municipality_slug}/monitoring/indikatoren",
    response=list[IndicatorOut],
    summary="Indicators with values in the municipality, with their years",
)
def indicators(request: HttpRequest, municipality_slug: str) -> list[IndicatorOut]:
    municipality = _municipality(request, municipality_slug)
    return [
        IndicatorOut(
            key=i.key,
            name=i.name,
            unit=i.unit,
            direction=i.direction,
            source=i.source,
            age_band=i.age_band,
            disclosure_threshold=i.disclosure_threshold,
            years=selectors.years_of(municipality, i),
        )
        for i in selectors.indicators_with_data(municipality)
    ]


@router.get(
    "/k/{municipality_slug}/monitoring/indikatoren/{indicator_key}/{year}",
    response=list[ValueOut],
    summary="One indicator's values per district in a year, under disclosure control",
)
def indicator_values(
    request: HttpRequest, municipality_slug: str, indicator_key: str, year: int
) -> list[ValueOut]:
    municipality = _municipality(request, municipality_slug)
    try:
        indicator = selectors.indicator_of(municipality, indicator_key)
    except Http404 as error:
        raise HttpError(404, "Indikator nicht gefunden") from error
    table = selectors.indicator_table(municipality, indicator, year)
    rows = ([table.municipality_row] if table.municipality_row else []) + table.rows
    return [
        ValueOut(
            district_code=row.district.code if row.district else None,
            district_name=row.district.name if row.district else municipality.name,
            level=row.district.level if row.district else "",
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            suppressed=row.suppressed,
        )
        for row in rows
    ]


@router.get(
    "/k/{municipality_slug}/monitoring/bedarfsindex",
    response=NeedIndexOut,
    summary="The need index of a year (default: the latest) over one district level",
)
def need_index(
    request: HttpRequest,
    municipality_slug: str,
    jahr: int | None = None,
    ebene: str | None = None,
) -> NeedIndexOut:
    municipality = _municipality(request, municipality_slug)
    years = selectors.need_index_years(municipality)
    if not years:
        raise HttpError(404, "Kein Bedarfsindex")
    year = jahr if jahr in years else years[-1]
    levels = selectors.district_levels(municipality)
    index = selectors.need_index(municipality, year, level=ebene if ebene in levels else None)
    return NeedIndexOut(
        year=index.year,
        earlier_year=index.earlier_year,
        level=index.level,
        weights={w.indicator.key: w.weight for w in index.weights},
        rows=[
            NeedIndexRowOut(
                district_code=row.district.code,
                district_name=row.district.name,
                index=row.result.index if row.result else None,
                status=row.result.status if row.result else None,
                status_label=row.status_label,
                dynamics=row.result.dynamics if row.result else None,
                type=row.result.type_label if row.result else None,
            )
            for row in index.rows
        ],
    )
