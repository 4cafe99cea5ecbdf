"""Thin views of the monitoring app: districts with map, indicator values, need index."""

from __future__ import annotations

import csv
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kette.core import selectors as core_selectors
from kette.core.tenancy import MunicipalityMixin
from kette.monitoring import charts, classify, gaps, selectors
from kette.monitoring.tables import format_number

PERMISSION = "monitoring.read_indicators"
MANAGE = "monitoring.manage_data"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


class DistrictsView(MunicipalityMixin, TemplateView):
    """The municipality's districts: map and table."""

    permission_required = PERMISSION
    template_name = "monitoring/districts.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        levels = selectors.district_levels(self.municipality)
        level = self.request.GET.get("ebene")
        if level not in levels:
            level = selectors.default_level(self.municipality)
        context["levels"] = levels
        context["level"] = level
        context["districts"] = [
            d for d in selectors.districts_of(self.municipality) if d.level == level
        ]
        context["outline_sources"] = selectors.outline_sources(
            d.outline_source for d in context["districts"]
        )
        context["indicators"] = selectors.indicators_with_data(self.municipality)
        context["can_manage_data"] = self.request.user.has_perm(MANAGE, self.municipality)
        return context


class DistrictsGeoJSONView(MunicipalityMixin, View):
    """Simplified outlines of one level; with ?bedarfsindex=<year> each feature
    carries its need status class."""

    permission_required = PERMISSION

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        level = request.GET.get("ebene") or selectors.default_level(self.municipality)
        data = selectors.districts_geojson(self.municipality, level=level)
        year = _int(request.GET.get("bedarfsindex"))
        if year is not None:
            index = selectors.need_index(self.municipality, year, level=level)
            status = {
                row.district.code: (row.result.status, row.status_label)
                for row in index.rows
                if row.result is not None
            }
            for feature in data["features"]:
                found = status.get(feature["properties"]["code"])
                if found:
                    feature["properties"]["status"] = found[0]
                    feature["properties"]["status_label"] = found[1]
        # Compact separators: the Köln Stadtteile map is about 10 % smaller.
        response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
        response["Cache-Control"] = "private, max-age=300"
        return response


class IndicatorValuesView(MunicipalityMixin, TemplateView):
    """One indicator's values per district for one year, under disclosure control."""

    permission_required = PERMISSION
    template_name = "monitoring/indicator_values.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        indicators = list(selectors.indicators_with_data(self.municipality))
        context["indicators"] = indicators
        context["can_manage_data"] = self.request.user.has_perm(MANAGE, self.municipality)
        key = self.request.GET.get("indikator")
        indicator = next((i for i in indicators if i.key == key), None)
        if indicator is None and indicators:
            indicator = indicators[0]
        context["indicator"] = indicator
        if indicator is None:
            return context
        years = selectors.years_of(self.municipality, indicator)
        year = _int(self.request.GET.get("jahr"))
        if year not in years:
            year = years[-1] if years else None
        context["years"] = years
        context["year"] = year
        if year is not None:
            context["table"] = selectors.indicator_table(self.municipality, indicator, year)
        return context


class IndicatorCSVView(MunicipalityMixin, View):
    """CSV export of one indicator and year; suppressed cells are "."."""

    permission_required = PERMISSION

    def get(
        self, request: HttpRequest, *args: Any, indicator_key: str, year: int, **kwargs: Any
    ) -> HttpResponse:
        indicator = selectors.indicator_of(self.municipality, indicator_key)
        if year not in selectors.years_of(self.municipality, indicator):
            raise Http404
        return _csv_response(
            f"{self.municipality.slug}-{indicator.key}-{year}.csv",
            selectors.indicator_csv_rows(self.municipality, indicator, year),
        )


def _csv_response(filename: str, rows: list[list[str]]) -> HttpResponse:
    """A CSV download with `;` as Excel in Germany expects it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    csv.writer(response, delimiter=";").writerows(rows)
    return response


class NeedIndexView(MunicipalityMixin, TemplateView):
    """The need index table with its method and weights beside it."""

    permission_required = PERMISSION
    template_name = "monitoring/need_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        years = selectors.need_index_years(self.municipality)
        year = _int(self.request.GET.get("jahr"))
        if year not in years:
            year = years[-1] if years else None
        context["years"] = years
        context["year"] = year
        context["weights"] = list(selectors.need_index_weights(self.municipality))
        levels = selectors.district_levels(self.municipality)
        level = self.request.GET.get("ebene")
        if level not in levels:
            level = selectors.default_level(self.municipality)
        context["levels"] = levels
        if year is not None:
            context["index"] = selectors.need_index(self.municipality, year, level=level)
            context["outline_sources"] = selectors.outline_sources(
                row.district.outline_source for row in context["index"].rows
            )
        return context


class _GapMixin:
    """Reads year, level and life phase of the gap analysis from the query string;
    unknown values fall back to the defaults (latest year, finest level, the
    first life phase with child counts)."""

    municipality: Any
    request: HttpRequest

    def gap_context(self) -> dict[str, Any]:
        years = gaps.gap_years(self.municipality)
        year = _int(self.request.GET.get("jahr"))
        if year not in years:
            year = years[-1] if years else None
        levels = selectors.district_levels(self.municipality)
        level = self.request.GET.get("ebene")
        if level not in levels:
            level = levels[-1] if levels else None
        context: dict[str, Any] = {"years": years, "year": year, "levels": levels, "level": level}
        if year is None:
            return context
        analysis = gaps.gap_analysis(
            self.municipality, year, level=level, need_year=gaps.need_year(self.municipality, year)
        )
        code = self.request.GET.get("lebensphase")
        phase = next((p for p in analysis.life_phases if p.code == code), None)
        if phase is None:
            phase = next(
                (p for p in analysis.life_phases if analysis.bands.get(p.pk)),
                analysis.life_phases[0] if analysis.life_phases else None,
            )
        context["analysis"] = analysis
        context["phase"] = phase
        if phase is not None:
            rows = analysis.for_phase(phase)
            classes = gaps.map_classes(rows)
            context["rows"] = rows
            context["classes"] = classes
            context["class_ranges"] = gaps.class_ranges(classes)
            context["bands"] = analysis.bands.get(phase.pk) or []
        return context


class GapView(_GapMixin, MunicipalityMixin, TemplateView):
    """Gap analysis: priority table, method, and a map of offers per 1,000 children."""

    permission_required = PERMISSION
    template_name = "monitoring/gaps.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.gap_context())
        context["outline_sources"] = selectors.outline_sources(
            row.district.outline_source for row in context.get("rows", [])
        )
        return context


class GapGeoJSONView(_GapMixin, MunicipalityMixin, View):
    """District outlines with the gap map class (1 most … 4 fewest offers per
    1,000 children) of the chosen year, level and life phase."""

    permission_required = PERMISSION

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.gap_context()
        data = selectors.districts_geojson(self.municipality, level=context["level"])
        rows = {row.district.code: row for row in context.get("rows", [])}
        classes = context.get("classes", {})
        for feature in data["features"]:
            row = rows.get(feature["properties"]["code"])
            if row is None:
                continue
            found = classes.get(row.district.pk)
            if found:
                feature["properties"]["map_class"] = found[0]
                feature["properties"]["map_label"] = gaps.format_rate(row.per_1000)
        response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
        response["Cache-Control"] = "private, max-age=300"
        return response


class _ChoroplethMixin:
    """Reads indicator, year, level, classification and sort order from the query
    string; unknown values fall back to the first indicator, its latest year, the
    finest level, five quantile classes and the code order."""

    municipality: Any
    request: HttpRequest

    def choropleth_context(self) -> dict[str, Any]:
        query = self.request.GET
        indicators = list(selectors.indicators_with_data(self.municipality))
        indicator = next((i for i in indicators if i.key == query.get("indikator")), None)
        if indicator is None and indicators:
            indicator = indicators[0]
        levels = selectors.district_levels(self.municipality)
        level = query.get("ebene")
        if level not in levels:
            level = levels[-1] if levels else None
        method = query.get("methode")
        if method not in classify.METHODS:
            method = classify.QUANTILES
        context: dict[str, Any] = {
            "indicators": indicators,
            "indicator": indicator,
            "levels": levels,
            "level": level,
            "method": method,
            "methods": [(key, METHOD_LABELS[key]) for key in classify.METHODS],
            "classes": classify.clamp_classes(_int(query.get("klassen"))),
            "class_choices": range(classify.MIN_CLASSES, classify.MAX_CLASSES + 1),
            "sort": query.get("sortierung")
            if query.get("sortierung") in selectors.SORT_KEYS
            else "code",
            "descending": query.get("reihenfolge") == "ab",
        }
        if indicator is None:
            return context
        years = selectors.years_of(self.municipality, indicator)
        year = _int(query.get("jahr"))
        if year not in years:
            year = years[-1] if years else None
        context["years"] = years
        context["year"] = year
        if year is not None:
            context["map"] = selectors.choropleth(
                self.municipality,
                indicator,
                year,
                level=level,
                method=method,
                classes=context["classes"],
                sort=context["sort"],
                descending=context["descending"],
            )
        return context


METHOD_LABELS = {
    classify.QUANTILES: _("quantiles (equal number of districts per class)"),
    classify.EQUAL_INTERVALS: _("equal intervals"),
    classify.STANDARD_DEVIATIONS: _("standard deviations around the mean"),
}


class ChoroplethView(_ChoroplethMixin, MunicipalityMixin, TemplateView):
    """One indicator on a map with legend, a sortable table and a bar chart;
    `?druck=1` gives the printable view with a static map."""

    permission_required = PERMISSION

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("druck"):
            return ["monitoring/choropleth_print.html"]
        return ["monitoring/choropleth.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.choropleth_context())
        found = context.get("map")
        if found is None:
            return context
        context["outline_sources"] = selectors.outline_sources(
            r.district.outline_source for r in found.rows
        )
        context["sort_links"] = _sort_links(self.request, context["sort"], context["descending"])
        by_value = sorted(
            found.rows,
            key=lambda r: (
                r.cell is None or r.cell.value is None,
                -(r.cell.value or 0) if r.cell else 0,
            ),
        )
        label = _(
            "Bar chart of %(indicator)s %(year)s per district; the table lists the same values."
        )
        context["chart"] = charts.bar_chart(
            [
                charts.Bar(r.district.name, r.cell.value if r.cell else None, r.display, r.colour)
                for r in by_value
            ],
            label=str(label % {"indicator": found.indicator.name, "year": found.year}),
        )
        query = self.request.GET.copy()
        query.pop("druck", None)
        context["query"] = query.urlencode()
        context["method_label"] = METHOD_LABELS[context["method"]]
        context["hatch_svg"] = charts.hatch_svg()
        if self.request.GET.get("druck"):
            data = selectors.districts_geojson(self.municipality, level=context["level"])
            fills = {
                r.district.code: charts.HATCH_FILL if r.suppressed else r.colour
                for r in found.rows
                if r.suppressed or r.colour
            }
            context["static_map"] = charts.static_map(
                data["features"],
                fills,
                label=str(
                    _(
                        "Map of %(indicator)s %(year)s per district; "
                        "the table lists the same values."
                    )
                    % {"indicator": found.indicator.name, "year": found.year}
                ),
            )
        return context


def _sort_links(request: HttpRequest, sort: str, descending: bool) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (toggling the order when it is
    the current column) and its aria-sort state."""
    links = {}
    for key in selectors.SORT_KEYS:
        query = request.GET.copy()
        query["sortierung"] = key
        current = key == sort
        if current:
            query["reihenfolge"] = "auf" if descending else "ab"
        else:  # values start with the highest, names and codes with A
            query["reihenfolge"] = "ab" if key == "value" else "auf"
        links[key] = {
            "href": "?" + query.urlencode(),
            "aria": ("descending" if descending else "ascending") if current else "none",
        }
    return links


class ChoroplethGeoJSONView(_ChoroplethMixin, MunicipalityMixin, View):
    """District outlines with each district's class colour and published value;
    suppressed districts carry `suppressed` and are hatched by the map."""

    permission_required = PERMISSION

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.choropleth_context()
        data = selectors.districts_geojson(self.municipality, level=context["level"])
        found = context.get("map")
        rows = {r.district.code: r for r in found.rows} if found else {}
        for feature in data["features"]:
            row = rows.get(feature["properties"]["code"])
            if row is None:
                continue
            feature["properties"]["map_label"] = row.display
            if row.suppressed:
                feature["properties"]["suppressed"] = True
            elif row.colour:
                feature["properties"]["fill"] = row.colour
        response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
        response["Cache-Control"] = "private, max-age=300"
        return response


def _profile_panels(
    municipality: Any, chosen: list[Any]
) -> list[tuple[selectors.ProfileIndicator, Any]]:
    """Each indicator of the profile with its small line chart (chosen districts
    and the level's mean)."""
    panels = []
    mean_name = str(_("mean of the districts"))
    for item in selectors.district_profile(municipality, chosen):
        series = [
            charts.Series(district.name, values)
            for district, values in zip(chosen, item.series_values(), strict=True)
        ]
        series.append(charts.Series(mean_name, item.means))
        label = _(
            "Line chart of %(indicator)s over the years: %(lines)s; "
            "the table lists the same values."
        ) % {
            "indicator": item.indicator.name,
            "lines": ", ".join(s.name for s in series),
        }
        decimals = 0 if item.indicator.unit == "count" else 1
        panels.append(
            (
                item,
                charts.line_chart(
                    series,
                    item.years,
                    label=str(label),
                    number_format=lambda value, d=decimals: format_number(value, d),
                ),
            )
        )
    return panels


class DistrictProfileView(MunicipalityMixin, TemplateView):
    """One district's every indicator as a time series against the mean of the
    districts of its level."""

    permission_required = PERMISSION
    template_name = "monitoring/district_profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        district = selectors.district_of(self.municipality, self.kwargs["district_code"])
        context["district"] = district
        context["chosen"] = [district]
        context["panels"] = _profile_panels(self.municipality, [district])
        context["others"] = [
            d
            for d in selectors.districts_of(self.municipality)
            if d.level == district.level and d.pk != district.pk
        ]
        return context


class DistrictComparisonView(MunicipalityMixin, TemplateView):
    """Two districts of one level side by side (`?a=<code>&b=<code>`)."""

    permission_required = PERMISSION
    template_name = "monitoring/district_comparison.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        districts = list(selectors.districts_of(self.municipality))
        by_code = {d.code: d for d in districts}
        first = by_code.get(self.request.GET.get("a", ""))
        second = by_code.get(self.request.GET.get("b", ""))
        context["districts"] = districts
        context["first"], context["second"] = first, second
        if first and second and first.level != second.level:
            context["error"] = _("Please choose two districts of the same level.")
        elif first and second:
            context["chosen"] = [first, second]
            context["panels"] = _profile_panels(self.municipality, [first, second])
        return context


class _StateComparisonMixin:
    """Indicator, year and region kind of the comparison from the query string."""

    request: HttpRequest

    def comparison_context(self) -> dict[str, Any]:
        query = self.request.GET
        indicators = list(selectors.comparable_indicators())
        indicator = next((i for i in indicators if i.key == query.get("indikator")), None)
        if indicator is None and indicators:
            indicator = indicators[0]
        kind = query.get("ebene")
        if kind not in selectors.REGION_KINDS:
            kind = selectors.KIND_KREIS
        context: dict[str, Any] = {
            "indicators": indicators,
            "indicator": indicator,
            "kinds": list(selectors.REGION_KINDS.items()),
            "kind": kind,
            "programme": core_selectors.default_programme(),
        }
        if indicator is None:
            return context
        years = selectors.comparison_years(indicator)
        year = _int(query.get("jahr"))
        if year not in years:
            year = years[-1] if years else None
        context["years"], context["year"] = years, year
        if year is not None:
            context["comparison"] = selectors.state_comparison(
                context["programme"], indicator, year, kind=kind
            )
        return context


class StateComparisonView(_StateComparisonMixin, TemplateView):
    """The coordination office's comparison of the programme municipalities with
    every municipality of the state on official statistics. Public: the values
    are published statistics of the state office (IT.NRW) and say nothing about
    the programme beyond which municipalities take part, which is public too."""

    template_name = "monitoring/state_comparison.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.comparison_context())
        context["query"] = self.request.GET.urlencode()
        return context


class StateComparisonCSVView(_StateComparisonMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        comparison = self.comparison_context().get("comparison")
        if comparison is None:
            raise Http404
        return _csv_response(
            f"nrw-vergleich-{comparison.indicator.key}-{comparison.year}.csv",
            selectors.state_comparison_csv_rows(comparison),
        )
