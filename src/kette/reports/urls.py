from django.urls import path

from kette.reports import views

app_name = "reports"

urlpatterns = [
    path(
        "k/<slug:municipality_slug>/sachbericht/",
        views.ReportListView.as_view(),
        name="report_list",
    ),
    path(
        "k/<slug:municipality_slug>/sachbericht/<int:year>/",
        views.ReportEditView.as_view(),
        name="report_edit",
    ),
    path(
        "k/<slug:municipality_slug>/sachbericht/<int:year>/vorschau/",
        views.ReportPreviewView.as_view(),
        name="report_preview",
    ),
    path(
        "k/<slug:municipality_slug>/sachbericht/<int:year>/pdf/",
        views.ReportGenerateView.as_view(),
        name="report_generate",
    ),
    path(
        "k/<slug:municipality_slug>/sachbericht/<int:year>/pdf/<int:generated_pk>/",
        views.ReportDownloadView.as_view(),
        name="report_download",
    ),
    path("programm/bericht/", views.ProgrammeReportView.as_view(), name="programme_report"),
    path(
        "programm/bericht.pdf", views.ProgrammeReportPDFView.as_view(), name="programme_report_pdf"
    ),
    path(
        "programm/bericht.xlsx",
        views.ProgrammeReportXLSXView.as_view(),
        name="programme_report_xlsx",
    ),
]
