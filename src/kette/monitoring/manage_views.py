"""Deleting wrong monitoring data: one indicator's values of one year, and a
district with its values. A GET shows what would go (and what happens to
what refers to it); the POST deletes through the service, audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from kette.core.tenancy import MunicipalityMixin
from kette.monitoring import selectors, services
from kette.monitoring.models import Observation

PERMISSION = "monitoring.manage_data"


def _url(name: str, slug: str, **query: Any) -> str:
    url = reverse(name, args=[slug])
    return f"{url}?{urlencode(query)}" if query else url


class ObservationsDeleteView(MunicipalityMixin, TemplateView):
    """The values of one indicator in one year (every district's and the whole
    municipality's)."""

    permission_required = PERMISSION
    template_name = "monitoring/delete_values.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.year = int(kwargs["year"])

    def observations(self) -> Any:
        self.indicator = selectors.indicator_of(self.municipality, self.kwargs["indicator_key"])
        return Observation.objects.for_municipality(self.municipality).filter(
            indicator=self.indicator, year=self.year
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        observations = self.observations()
        count = observations.count()
        if not count:
            raise Http404
        context.update(
            indicator=self.indicator,
            year=self.year,
            count=count,
            municipality_value=observations.filter(district__isnull=True).exists(),
            cancel_url=_url(
                "monitoring:indicator_values",
                self.municipality.slug,
                indikator=self.indicator.key,
                jahr=self.year,
            ),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.observations().exists():
            raise Http404
        count = services.observations_delete(
            actor=request.user,  # type: ignore[arg-type]
            municipality=self.municipality,
            indicator=self.indicator,
            year=self.year,
        )
        messages.success(
            request,
            ngettext(
                "%(count)s value of “%(name)s” for %(year)s has been deleted.",
                "%(count)s values of “%(name)s” for %(year)s have been deleted.",
                count,
            )
            % {"count": count, "name": self.indicator.name, "year": self.year},
        )
        remaining = selectors.years_of(self.municipality, self.indicator)
        query = {"indikator": self.indicator.key} if remaining else {}
        return HttpResponseRedirect(
            _url("monitoring:indicator_values", self.municipality.slug, **query)
        )


class DistrictDeleteView(MunicipalityMixin, TemplateView):
    """A district with its values; the page names what refers to it and what
    happens to that (`selectors.district_deletion`)."""

    permission_required = PERMISSION
    template_name = "monitoring/delete_district.html"

    def district(self) -> Any:
        return selectors.district_of(self.municipality, self.kwargs["district_code"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        district = self.district()
        context["deletion"] = selectors.district_deletion(self.municipality, district)
        context["cancel_url"] = _url(
            "monitoring:districts", self.municipality.slug, ebene=district.level
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        district = self.district()
        deletion = services.district_delete(
            actor=request.user,  # type: ignore[arg-type]
            municipality=self.municipality,
            district=district,
        )
        messages.success(
            request,
            ngettext(
                "The district “%(name)s” (%(code)s) has been deleted with %(count)s value.",
                "The district “%(name)s” (%(code)s) has been deleted with %(count)s values.",
                deletion.value_count,
            )
            % {"name": district.name, "code": district.code, "count": deletion.value_count},
        )
        return HttpResponseRedirect(
            _url("monitoring:districts", self.municipality.slug, ebene=district.level)
        )
