"""The upload page for bulk imports: upload → validation report → confirm; plus
downloads of the empty template and of the municipality's offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from kette.core import upload_store
from kette.core.tenancy import MunicipalityMixin
from kette.core.upload_views import CheckedUploadView, StoredUploadMixin
from kette.directory import hsds, hsds_import, hsds_tabular, tabular
from kette.directory.bulk_models import ColumnMapping

MAX_PROBLEMS_SHOWN = 500
UPLOAD_KIND = "directory.offers"
HSDS_UPLOAD_KIND = "directory.hsds"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "zip": "application/zip",
}


class OfferUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV, XLSX, ODS or XLS)"),
        widget=forms.ClearableFileInput(attrs={"accept": tabular.TABLE_ACCEPT}),
    )
    mapping = forms.ChoiceField(
        label=gettext_lazy("Column mapping"),
        required=False,
        help_text=gettext_lazy("Only for files in another layout than the template."),
    )

    def __init__(self, *args: Any, mappings: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping_field = self.fields["mapping"]
        assert isinstance(mapping_field, forms.ChoiceField)
        mapping_field.choices = [("", _("none (the file uses the template)"))] + [
            (name, name) for name in mappings
        ]
        if not mappings:
            del self.fields["mapping"]


def _first(items: list[Any]) -> tuple[list[Any], int]:
    """The entries a report page lists, and how many more there are."""
    return items[:MAX_PROBLEMS_SHOWN], max(0, len(items) - MAX_PROBLEMS_SHOWN)


def _mapping_names(municipality: Any) -> list[str]:
    return list(
        ColumnMapping.objects.for_municipality(municipality)
        .order_by("name")
        .values_list("name", flat=True)
    )


class ImportUploadView(CheckedUploadView):
    permission_required = "directory.import_offers"
    template_name = "directory/import_upload.html"
    form_class = OfferUploadForm
    kind = UPLOAD_KIND
    review_url_name = "directory_import:review"
    file_errors = (tabular.TabularFileError,)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["mappings"] = _mapping_names(self.municipality)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["columns"] = tabular.COLUMNS
        context["hsds_form"] = HsdsExportForm()
        context["may_export_contacts"] = self.request.user.has_perm(
            "directory.export_contacts", self.municipality
        )
        return context

    def check_file(self, data: bytes, filename: str) -> None:
        tabular.read_table(data, filename)

    def upload_options(self, form: forms.Form) -> dict[str, str]:
        return {"mapping": form.cleaned_data.get("mapping") or ""}


class ImportReviewView(StoredUploadMixin, TemplateView):
    """The validation report of an uploaded file; POST imports it."""

    permission_required = "directory.import_offers"
    template_name = "directory/import_review.html"
    kind = UPLOAD_KIND

    def _plan(self, upload: upload_store.StoredUpload) -> tabular.ImportPlan | str:
        try:
            mapping_name = upload.options.get("mapping", "")
            mapping = (
                tabular.mapping_named(self.municipality, mapping_name) if mapping_name else None
            )
            table = tabular.read_table(upload.read(), upload.filename)
        except tabular.TabularFileError as error:
            return error.message
        return tabular.prepare_import(self.municipality, table, mapping=mapping)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        upload = self.stored_upload()
        plan = kwargs.get("plan") or self._plan(upload)
        context["upload"] = upload
        if isinstance(plan, str):
            context["file_error"] = plan
            return context
        context["plan"] = plan
        context["problems"], context["more_problems"] = _first(plan.problems)
        context["can_import"] = not plan.file_problems and bool(plan.valid_rows)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self.stored_upload()
        plan = self._plan(upload)
        skip = request.POST.get("skip_invalid") == "1"
        if isinstance(plan, str) or plan.file_problems or (plan.problems and not skip):
            context = self.get_context_data(plan=plan, **kwargs)
            context["import_error"] = _(
                "Nothing was imported: the file has problems. Correct it, or choose to skip "
                "the rows with problems."
            )
            return self.render_to_response(context, status=400)
        try:
            summary = tabular.run_import(plan, actor=request.user, skip_invalid=skip)  # type: ignore[arg-type]
        except tabular.RowError as error:
            context = self.get_context_data(plan=plan, **kwargs)
            context["import_error"] = error.message
            return self.render_to_response(context, status=400)
        upload.delete()
        messages.success(request, tabular.summary_text(summary))
        return HttpResponseRedirect(
            reverse("directory_import:upload", kwargs={"municipality_slug": self.municipality.slug})
        )


def _attachment(data: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class TemplateDownloadView(MunicipalityMixin, View):
    permission_required = "directory.import_offers"
    fmt = "csv"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _attachment(
            tabular.export_template(self.fmt), self.fmt, f"angebote-vorlage.{self.fmt}"
        )


class ExportDownloadView(MunicipalityMixin, View):
    permission_required = "directory.export_offers"
    fmt = "csv"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = f"angebote-{self.municipality.slug}-{dt.date.today():%Y-%m-%d}.{self.fmt}"
        return _attachment(tabular.export_offers(self.municipality, self.fmt), self.fmt, name)


class HsdsExportForm(forms.Form):
    """What the HSDS download holds (a GET form on the upload page)."""

    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("json", gettext_lazy("JSON (a list of full service objects)")),
            ("datapackage", gettext_lazy("Tabular data package (ZIP of CSV files)")),
        ],
        initial="json",
        widget=forms.RadioSelect,
    )
    include_unpublished = forms.BooleanField(
        label=gettext_lazy("Also drafts and archived offers (not for publication)"),
        required=False,
    )
    include_contacts = forms.BooleanField(
        label=gettext_lazy("Also named contacts of professionals (coordinators only)"),
        required=False,
    )


class HsdsExportView(MunicipalityMixin, View):
    """The municipality's offers as Open Referral HSDS 3.0, as `kette export_hsds`
    writes them: published offers unless drafts and archived ones are asked
    for; named contacts only for the municipality's coordinators."""

    permission_required = "directory.export_offers"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = HsdsExportForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(
                _("Choose JSON or data package as the format."),
                content_type="text/plain; charset=utf-8",
            )
        options = form.cleaned_data
        if options["include_contacts"] and not request.user.has_perm(
            "directory.export_contacts", self.municipality
        ):
            return HttpResponseForbidden(
                _("Only the municipality's coordinators may export named contacts."),
                content_type="text/plain; charset=utf-8",
            )
        services = hsds.export_services(
            self.municipality,
            include_unpublished=options["include_unpublished"],
            include_contacts=options["include_contacts"],
        )
        stem = f"angebote-{self.municipality.slug}-hsds-{dt.date.today():%Y-%m-%d}"
        if options["format"] == "datapackage":
            labels = hsds_tabular.package_labels(self.municipality.slug, self.municipality.name)
            package = hsds_tabular.zipped_package(services, **labels)
            return _attachment(package, "zip", f"{stem}.zip")
        response = StreamingHttpResponse(
            (piece.encode() for piece in hsds.export_json(services)),
            content_type=CONTENT_TYPES["json"],
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        return response


# --- HSDS import ---------------------------------------------------------------


class HsdsUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (HSDS JSON, or a data package as ZIP)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.zip,application/json"}),
    )


def _hsds_objects(data: bytes, filename: str) -> list[dict[str, Any]]:
    return hsds_import.load_bytes(data, filename, max_bytes=upload_store.max_bytes())


class HsdsUploadView(CheckedUploadView):
    """Upload of an Open Referral HSDS 3.0 file: checked, then shown for confirmation."""

    permission_required = "directory.import_offers"
    template_name = "directory/import_hsds_upload.html"
    form_class = HsdsUploadForm
    kind = HSDS_UPLOAD_KIND
    review_url_name = "directory_import:hsds_review"
    file_errors = (hsds_import.ImportFileError,)

    def check_file(self, data: bytes, filename: str) -> None:
        _hsds_objects(data, filename)


class HsdsReviewView(StoredUploadMixin, TemplateView):
    """The check of an uploaded HSDS file (the import run and rolled back); POST
    imports it. Nothing is imported while any object has a problem."""

    permission_required = "directory.import_offers"
    template_name = "directory/import_hsds_review.html"
    kind = HSDS_UPLOAD_KIND

    def _run(self, upload: upload_store.StoredUpload, *, dry_run: bool) -> Any:
        try:
            objects = _hsds_objects(upload.read(), upload.filename)
        except hsds_import.ImportFileError as error:
            return str(error)
        return hsds_import.import_services(
            self.municipality,
            objects,
            actor=self.request.user,  # type: ignore[arg-type]
            dry_run=dry_run,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        upload = self.stored_upload()
        report = kwargs.get("report") or self._run(upload, dry_run=True)
        context["upload"] = upload
        if isinstance(report, str):
            context["file_error"] = report
            return context
        context["report"] = report
        context["problems"], context["more_problems"] = _first(report.problems)
        context["notes"], context["more_notes"] = _first(report.notes)
        context["unmodelled"] = sorted(report.unmodelled.items())
        context["can_import"] = report.ok and (report.created or report.updated)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self.stored_upload()
        report = self._run(upload, dry_run=False)
        if isinstance(report, str) or not report.ok:
            context = self.get_context_data(report=report, **kwargs)
            context["import_error"] = _(
                "Nothing was imported: the file has problems. Correct it and upload it again."
            )
            return self.render_to_response(context, status=400)
        upload.delete()
        messages.success(request, hsds_import.summary_text(report))
        return HttpResponseRedirect(
            reverse(
                "directory_import:hsds_upload",
                kwargs={"municipality_slug": self.municipality.slug},
            )
        )
