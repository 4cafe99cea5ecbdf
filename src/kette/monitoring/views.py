"""Thin views of the monitoring app: districts with map, indicator values, need index."""

from __future__ import annotations

import csv
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import View
from django.views.generic import TemplateView

from kette.core.tenancy import MunicipalityMixin
from kette.monitoring import selectors

PERMISSION = "monitoring.read_indicators"


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
        context["indicators"] = selectors.indicators_with_data(self.municipality)
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
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"{self.municipality.slug}-{indicator.key}-{year}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
        writer = csv.writer(response, delimiter=";")
        writer.writerows(selectors.indicator_csv_rows(self.municipality, indicator, year))
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
        return context
