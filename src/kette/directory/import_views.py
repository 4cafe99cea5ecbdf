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
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from kette.core import upload_store
from kette.core.tenancy import MunicipalityMixin
from kette.directory import hsds, hsds_tabular, tabular
from kette.directory.bulk_models import ColumnMapping

MAX_PROBLEMS_SHOWN = 500
UPLOAD_KIND = "directory.offers"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "zip": "application/zip",
}


class OfferUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
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


def _mapping_names(municipality: Any) -> list[str]:
    return list(
        ColumnMapping.objects.for_municipality(municipality)
        .order_by("name")
        .values_list("name", flat=True)
    )


class ImportUploadView(MunicipalityMixin, FormView):
    permission_required = "directory.import_offers"
    template_name = "directory/import_upload.html"
    form_class = OfferUploadForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["mappings"] = _mapping_names(self.municipality)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["columns"] = tabular.COLUMNS
        context["limit_mb"] = tabular.max_bytes() // (1024 * 1024)
        context["hsds_form"] = HsdsExportForm()
        context["may_export_contacts"] = self.request.user.has_perm(
            "directory.export_contacts", self.municipality
        )
        return context

    def form_valid(self, form: OfferUploadForm) -> HttpResponse:
        uploaded = form.cleaned_data["file"]
        mapping_name = form.cleaned_data.get("mapping") or ""
        if uploaded.size > tabular.max_bytes():
            form.add_error("file", tabular.size_message(uploaded.size))
            return self.form_invalid(form)
        data = uploaded.read()
        try:
            tabular.read_table(data, uploaded.name)
        except tabular.TabularFileError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        token = upload_store.store(
            data,
            kind=UPLOAD_KIND,
            municipality_id=self.municipality.pk,
            user_id=self.request.user.pk or 0,
            filename=uploaded.name,
            options={"mapping": mapping_name},
        )
        return HttpResponseRedirect(
            reverse(
                "directory_import:review",
                kwargs={"municipality_slug": self.municipality.slug, "upload_token": token},
            )
        )


class ImportReviewView(MunicipalityMixin, TemplateView):
    """The validation report of an uploaded file; POST imports it."""

    permission_required = "directory.import_offers"
    template_name = "directory/import_review.html"

    def _upload(self) -> upload_store.StoredUpload:
        return upload_store.load_or_404(
            self.kwargs["upload_token"],
            kind=UPLOAD_KIND,
            municipality_id=self.municipality.pk,
            user_id=self.request.user.pk or 0,
        )

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
        upload = self._upload()
        plan = kwargs.get("plan") or self._plan(upload)
        context["upload"] = upload
        if isinstance(plan, str):
            context["file_error"] = plan
            return context
        context["plan"] = plan
        context["problems"] = plan.problems[:MAX_PROBLEMS_SHOWN]
        context["more_problems"] = max(0, len(plan.problems) - MAX_PROBLEMS_SHOWN)
        context["can_import"] = not plan.file_problems and bool(plan.valid_rows)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self._upload()
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
        return _attachment(hsds.export_json(services).encode(), "json", f"{stem}.json")
