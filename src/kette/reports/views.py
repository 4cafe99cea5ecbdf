"""Thin views of the reports app."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from kette.core.selectors import default_programme
from kette.core.tenancy import MunicipalityMixin
from kette.reports import programme, selectors, services
from kette.reports.forms import GoalFormSet, ReportTextForm, YearForm

READ = "reports.read_report"
WRITE = "reports.write_report"


class ReportListView(MunicipalityMixin, TemplateView):
    """The municipality's reports by year; writers open a new year here."""

    permission_required = READ
    template_name = "reports/report_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["reports"] = selectors.reports_of(self.municipality).prefetch_related("generated")
        context["can_write"] = self.request.user.has_perm(WRITE, self.municipality)
        context.setdefault("year_form", YearForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(WRITE, self.municipality):
            raise PermissionDenied
        form = YearForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(year_form=form))
        report = services.report_open(
            actor=request.user, municipality=self.municipality, year=form.cleaned_data["year"]
        )
        return redirect("reports:report_edit", self.municipality.slug, report.year)


class _ReportMixin(MunicipalityMixin):
    def get_report(self) -> Any:
        return selectors.report_for(self.municipality, self.kwargs["year"])


class ReportEditView(_ReportMixin, TemplateView):
    """Goals, mission statement and chapter texts of one year; drafts until a PDF is made."""

    permission_required = WRITE
    template_name = "reports/report_edit.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = self.get_report()
        texts = selectors.texts_of(report)
        context["report"] = report
        context.setdefault(
            "text_form",
            ReportTextForm(
                initial={"leitbild": report.leitbild}
                | {f"text_{key}": value for key, value in texts.items()}
            ),
        )
        context.setdefault(
            "goal_formset", GoalFormSet(queryset=selectors.goals_of(report), prefix="goals")
        )
        context["generated"] = selectors.generated_of(report)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_report()
        text_form = ReportTextForm(request.POST)
        goal_formset = GoalFormSet(
            request.POST, queryset=selectors.goals_of(report), prefix="goals"
        )
        if not (text_form.is_valid() and goal_formset.is_valid()):
            messages.error(request, _("Please correct the marked fields."))
            return self.render_to_response(
                self.get_context_data(text_form=text_form, goal_formset=goal_formset)
            )
        goals = [g for form in goal_formset.forms if (g := form.goal_input()) is not None]
        services.report_save(
            actor=request.user,
            report=report,
            leitbild=text_form.cleaned_data["leitbild"],
            texts=text_form.texts(),
            goals=goals,
        )
        messages.success(request, _("The draft has been saved."))
        return redirect("reports:report_edit", self.municipality.slug, report.year)


class ReportPreviewView(_ReportMixin, TemplateView):
    """The whole report as an accessible HTML page."""

    permission_required = READ
    template_name = "reports/report_preview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = self.get_report()
        context["report"] = report
        context["data"] = selectors.report_data(report)
        context["generated"] = selectors.generated_of(report)
        context["can_write"] = self.request.user.has_perm(WRITE, self.municipality)
        return context


class ReportGenerateView(_ReportMixin, View):
    """POST: render the PDF now and keep it."""

    permission_required = WRITE

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_report()
        generated = services.report_generate(actor=request.user, report=report)
        messages.success(request, _("The PDF has been generated."))
        return HttpResponseRedirect(
            reverse(
                "reports:report_download",
                args=[self.municipality.slug, report.year, generated.pk],
            )
        )


class ReportDownloadView(_ReportMixin, View):
    """A kept PDF, for the report's readers only."""

    permission_required = READ

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        generated = selectors.generated_in(
            self.municipality, self.kwargs["year"], self.kwargs["generated_pk"]
        )
        name = (
            f"sachbericht-{self.municipality.slug}-{generated.report.year}-"
            f"{timezone.localtime(generated.created_at):%Y%m%d-%H%M}.pdf"  # as the page shows it
        )
        response = FileResponse(
            generated.file.open("rb"),
            content_type="application/pdf",
            filename=name,
            as_attachment=True,
        )
        response["Cache-Control"] = "private, no-store"
        return response


class _ProgrammeReportMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not request.user.has_perm(
            "reports.read_programme_report"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def overview(self) -> Any:
        found = default_programme()
        if found is None:
            raise Http404
        return selectors.programme_overview(found)


class ProgrammeReportView(_ProgrammeReportMixin, TemplateView):
    """The programme overview for the coordination office, with PDF and XLSX downloads."""

    template_name = "reports/programme_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["overview"] = self.overview()
        return context


class ProgrammeReportPDFView(_ProgrammeReportMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        overview = self.overview()
        response = HttpResponse(programme.overview_pdf(overview), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="programmuebersicht-{overview.generated_on:%Y%m%d}.pdf"'
        )
        return response


class ProgrammeReportXLSXView(_ProgrammeReportMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        overview = self.overview()
        response = HttpResponse(
            programme.overview_xlsx(overview),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="programmuebersicht-{overview.generated_on:%Y%m%d}.xlsx"'
        )
        return response
