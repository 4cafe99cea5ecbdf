"""Upload pages for monitoring data: indicator values (CSV/XLSX, long or wide
form, IT.NRW exports) and district boundaries (GeoJSON).

Both work in two steps like the offer import: the upload stores the file
(`core.upload_store`, bound to kind, municipality and user) and leads to a
report that runs the import service with `dry_run=True` — every problem with
row and column (or feature and reason), and what would be created and
updated; confirming runs the same service for real, atomically. Nothing is
written while a problem is left."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from kette.core import upload_store
from kette.core.models import District
from kette.core.text import sort_key
from kette.core.upload_views import CheckedUploadView, StoredUploadMixin
from kette.directory import tabular
from kette.monitoring import geo, selectors, services, tables
from kette.monitoring.errors import ImportRejected
from kette.monitoring.models import Indicator

PERMISSION = "monitoring.manage_data"
OBSERVATIONS = "monitoring.observations"
DISTRICTS = "monitoring.districts"

LAYOUTS = [
    ("long", gettext_lazy("Long form: one row per value (district, indicator, year, value)")),
    ("wide", gettext_lazy("Wide form: one column per year or per indicator")),
    ("itnrw", gettext_lazy("Export of the Landesdatenbank NRW (IT.NRW)")),
]
CRS_CHOICES = [
    ("", gettext_lazy("as declared in the file (otherwise WGS84)")),
    (geo.WGS84, gettext_lazy("WGS84 (longitude/latitude in degrees, EPSG:4326)")),
    ("EPSG:25832", gettext_lazy("ETRS89 / UTM zone 32N (metres, EPSG:25832)")),
]


def _indicators(municipality: Any) -> dict[str, Indicator]:
    """The indicators the municipality can fill, its own winning over a standard one."""
    found = {i.key: i for i in Indicator.objects.available_to(municipality)}
    found.update({i.key: i for i in Indicator.objects.filter(municipality=municipality)})
    return found


class ObservationUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV, XLSX, ODS or XLS)"),
        widget=forms.ClearableFileInput(attrs={"accept": tabular.TABLE_ACCEPT}),
    )
    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"), choices=LAYOUTS, initial="long", widget=forms.RadioSelect
    )
    indicator = forms.ChoiceField(
        label=gettext_lazy("Indicator"),
        required=False,
        help_text=gettext_lazy(
            "Needed when the columns are years (wide form) and for IT.NRW exports; "
            "in the long form it stands for a missing indicator column."
        ),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=gettext_lazy(
            "Needed when the columns are indicators (wide form); "
            "in the long form it stands for a missing year column."
        ),
    )
    column = forms.IntegerField(
        label=gettext_lazy("Value column (IT.NRW)"),
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "Only for IT.NRW tables with several value columns: 1 is the first after the name."
        ),
    )

    def __init__(self, *args: Any, indicators: dict[str, Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        field = self.fields["indicator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("none (from the file)"))] + [
            (key, f"{indicator.name} ({key})")
            for key, indicator in sorted(indicators.items(), key=lambda item: item[1].name)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("layout") == "itnrw":
            indicator = self.indicators.get(data.get("indicator") or "")
            if indicator is None:
                self.add_error(
                    "indicator", _("Please choose the indicator the IT.NRW table holds.")
                )
            elif indicator.municipality_id is not None:
                self.add_error(
                    "indicator",
                    _("IT.NRW tables can only fill indicators of the standard catalogue."),
                )
        return data


class DistrictUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (GeoJSON)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )
    code_property = forms.CharField(
        label=gettext_lazy("Property with the district code"), max_length=100, initial="ref"
    )
    name_property = forms.CharField(
        label=gettext_lazy("Property with the name"), max_length=100, initial="name"
    )
    level = forms.CharField(
        label=gettext_lazy("Level"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("e.g. Stadtbezirk or Stadtteil"),
    )
    parent_property = forms.CharField(
        label=gettext_lazy("Property with the parent district's code"),
        max_length=100,
        required=False,
    )
    parent_level = forms.ChoiceField(
        label=gettext_lazy("Or: parent from the districts of level"),
        required=False,
        help_text=gettext_lazy("Each district goes to the district of this level containing it."),
    )
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinate reference system"), choices=CRS_CHOICES, required=False
    )
    source = forms.CharField(
        label=gettext_lazy("Source of the outlines"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "Named on every map of these districts, as the data's licence asks: e.g. "
            "“© OpenStreetMap contributors (ODbL)” or “© Stadt Musterstadt, dl-de/by-2-0”. "
            "Leave empty for your own outlines."
        ),
    )

    def __init__(self, *args: Any, levels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent_level"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("none"))] + [(level, level) for level in levels if level]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("parent_property") and data.get("parent_level"):
            self.add_error(
                "parent_level",
                _("Please name either the parent's property or the parent level, not both."),
            )
        return data


class _UploadView(CheckedUploadView):
    """Step 1: check that the file is readable at all, keep it, go to the report."""

    permission_required = PERMISSION
    file_errors = (tables.TableError, geo.GeometryError)

    def upload_options(self, form: forms.Form) -> dict[str, str]:
        return {
            name: "" if value is None else str(value)
            for name, value in form.cleaned_data.items()
            if name != "file"
        }

    def get_initial(self) -> dict[str, Any]:
        # Coming back from a report (`_ReviewView.upload_url`): the choices made
        # with the file before, so only the file needs choosing again.
        assert self.form_class is not None
        return {
            name: self.request.GET[name]
            for name in self.form_class.base_fields
            if name != "file" and name in self.request.GET
        }


class ObservationUploadView(_UploadView):
    template_name = "monitoring/upload_observations.html"
    form_class = ObservationUploadForm
    kind = OBSERVATIONS
    review_url_name = "monitoring:upload_observations_review"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["indicators"] = _indicators(self.municipality)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["indicators"] = sorted(
            _indicators(self.municipality).values(), key=lambda i: sort_key(i.name)
        )
        return context

    def check_file(self, data: bytes, filename: str) -> None:
        tables.read_table(data, filename)


class DistrictUploadView(_UploadView):
    template_name = "monitoring/upload_districts.html"
    form_class = DistrictUploadForm
    kind = DISTRICTS
    review_url_name = "monitoring:upload_districts_review"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["levels"] = selectors.district_levels(self.municipality)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        # the source the municipality's outlines name so far, if they name one
        sources = selectors.outline_sources(
            District.objects.for_municipality(self.municipality).values_list(
                "outline_source", flat=True
            )
        )
        if len(sources) == 1:
            initial.setdefault("source", sources[0])
        return initial

    def check_file(self, data: bytes, filename: str) -> None:
        geo.read_geojson(data)


class _ReviewView(StoredUploadMixin, TemplateView):
    """Step 2: GET shows the report of a dry run, POST imports for real."""

    permission_required = PERMISSION
    template_name = "monitoring/upload_review.html"
    kind = ""
    upload_url_name = ""
    done_url_name = ""
    title: Any = ""

    def run(self, upload: upload_store.StoredUpload, *, dry_run: bool) -> Any:
        """Run the import service; raises TableError/GeometryError (the file) or
        ImportRejected (its content)."""
        raise NotImplementedError

    def summary(self, report: Any) -> list[tuple[str, Any]]:
        raise NotImplementedError

    def upload_form(self) -> forms.Form:
        """The upload page's (unbound) form, which names and labels the options."""
        raise NotImplementedError

    def chosen(self, upload: upload_store.StoredUpload) -> list[tuple[str, str]]:
        """The options chosen with the file, as the upload page labelled them."""
        form = self.upload_form()
        result = []
        for name, value in upload.options.items():
            field = form.fields.get(name)
            if field is None or not value:
                continue
            choices = dict(getattr(field, "choices", ()))
            result.append((str(field.label), str(choices.get(value, value))))
        return result

    def upload_url(self, upload: upload_store.StoredUpload) -> str:
        """The upload page with the choices made for this file filled in."""
        url = reverse(self.upload_url_name, args=[self.municipality.slug])
        options = {name: value for name, value in upload.options.items() if value}
        return f"{url}?{urlencode(options)}" if options else url

    def _attempt(self, upload: upload_store.StoredUpload, *, dry_run: bool) -> dict[str, Any]:
        try:
            report = self.run(upload, dry_run=dry_run)
        except ImportRejected as error:
            return {"problems": error.errors}
        except (tables.TableError, geo.GeometryError) as error:
            return {"problems": [str(error)]}
        return {"report": report, "summary": self.summary(report), **self.details(report)}

    def details(self, report: Any) -> dict[str, Any]:
        """More context for the report page, beside the summary."""
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        upload = kwargs.get("upload") or self.stored_upload()
        context["upload"] = upload
        context["title"] = self.title
        context["upload_url"] = self.upload_url(upload)
        context["chosen"] = self.chosen(upload)
        if "attempt" not in kwargs:
            context.update(self._attempt(upload, dry_run=True))
        else:
            context.update(kwargs["attempt"])
        context["can_import"] = "report" in context
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self.stored_upload()
        attempt = self._attempt(upload, dry_run=False)
        if "report" not in attempt:
            context = self.get_context_data(upload=upload, attempt=attempt, **kwargs)
            context["import_error"] = _("Nothing was imported: the file has problems.")
            return self.render_to_response(context)
        upload.delete()
        lines = "; ".join(f"{label}: {value}" for label, value in attempt["summary"])
        messages.success(request, _("Imported. %(summary)s") % {"summary": lines})
        return HttpResponseRedirect(self.done_url(attempt["report"]))

    def done_url(self, report: Any) -> str:
        """Where the user sees what was imported."""
        return reverse(self.done_url_name, args=[self.municipality.slug])


def _int_option(upload: upload_store.StoredUpload, name: str) -> int | None:
    value = upload.options.get(name, "")
    return int(value) if value.isdigit() else None


class ObservationReviewView(_ReviewView):
    kind = OBSERVATIONS
    upload_url_name = "monitoring:upload_observations"
    done_url_name = "monitoring:indicator_values"
    title = gettext_lazy("Check indicator values")

    def run(self, upload: upload_store.StoredUpload, *, dry_run: bool) -> Any:
        options = upload.options
        indicator = options.get("indicator") or None
        data = upload.read()
        if options.get("layout") == "itnrw":
            regional = tables.read_itnrw(data, column=_int_option(upload, "column"))
            report = services.observations_import_itnrw(
                actor=self.request.user,  # type: ignore[arg-type]
                regional=regional,
                indicator_key=indicator or "",
                municipalities=[self.municipality],
                keep_regional=False,
                dry_run=dry_run,
            )
            if not report.municipalities and not report.missing:
                raise ImportRejected(
                    [
                        _("The table has no row with the official key %(key)s of %(name)s.")
                        % {"key": self.municipality.official_key, "name": self.municipality.name}
                    ]
                )
            return report
        return services.observations_import(
            actor=self.request.user,  # type: ignore[arg-type]
            municipality=self.municipality,
            table=tables.read_table(data, upload.filename),
            layout=options.get("layout", "long"),
            indicator_key=indicator,
            year=_int_option(upload, "year"),
            dry_run=dry_run,
        )

    def upload_form(self) -> forms.Form:
        return ObservationUploadForm(indicators=_indicators(self.municipality))

    def done_url(self, report: services.ObservationImportReport) -> str:
        # The indicator and year just imported, not the page's first indicator.
        url = super().done_url(report)
        shown = report.main_indicator()
        if shown is None:
            return url
        return f"{url}?{urlencode({'indikator': shown[0], 'jahr': shown[1]})}"

    def details(self, report: services.ObservationImportReport) -> dict[str, Any]:
        # An IT.NRW table's row for the municipality: the value it brings, and
        # the value it replaces.
        shown = report.main_indicator()
        if not report.rows or shown is None:
            return {}
        indicator = Indicator.objects.get(municipality__isnull=True, key=shown[0])
        return {
            "regional_indicator": indicator,
            "regional_year": shown[1],
            "regional_rows": [
                {
                    "row": row,
                    "value": selectors.value_display(indicator, row.value),
                    "previous": "–"
                    if row.previous is None
                    else selectors.value_display(indicator, row.previous),
                }
                for row in report.rows
            ],
        }

    def summary(self, report: services.ObservationImportReport) -> list[tuple[str, Any]]:
        return [
            (_("New values"), report.created),
            (_("Changed values"), report.updated),
            (_("Unchanged values"), report.unchanged),
            (_("Cells without a value (markers such as “.”)"), report.missing),
            *((_("Notice"), warning) for warning in report.warnings),
        ]


class DistrictReviewView(_ReviewView):
    kind = DISTRICTS
    upload_url_name = "monitoring:upload_districts"
    done_url_name = "monitoring:districts"
    title = gettext_lazy("Check district boundaries")

    def upload_form(self) -> forms.Form:
        return DistrictUploadForm(levels=selectors.district_levels(self.municipality))

    def run(self, upload: upload_store.StoredUpload, *, dry_run: bool) -> Any:
        options = upload.options
        return services.districts_import(
            actor=self.request.user,  # type: ignore[arg-type]
            municipality=self.municipality,
            collection=geo.read_geojson(upload.read()),
            code_property=options.get("code_property", ""),
            name_property=options.get("name_property", ""),
            level=options.get("level", ""),
            parent_property=options.get("parent_property") or None,
            parent_level=options.get("parent_level") or None,
            crs=options.get("crs") or None,
            source=options.get("source"),
            dry_run=dry_run,
        )

    def summary(self, report: services.DistrictImportReport) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            (_("New districts"), report.created),
            (_("Changed districts"), report.updated),
            (_("Unchanged districts"), report.unchanged),
            (_("Coordinate reference system of the file"), report.source_crs),
        ]
        if report.repaired:
            rows.append((_("Repaired outlines"), ", ".join(report.repaired)))
        rows.extend((_("Notice"), warning) for warning in report.warnings)
        return rows
