from django.urls import path

from kette.directory import import_views

app_name = "directory_import"

_BASE = "k/<slug:municipality_slug>/angebote/"

urlpatterns = [
    path(f"{_BASE}import/", import_views.ImportUploadView.as_view(), name="upload"),
    path(
        f"{_BASE}import/pruefen/<str:upload_token>/",
        import_views.ImportReviewView.as_view(),
        name="review",
    ),
    path(f"{_BASE}import/hsds/", import_views.HsdsUploadView.as_view(), name="hsds_upload"),
    path(
        f"{_BASE}import/hsds/pruefen/<str:upload_token>/",
        import_views.HsdsReviewView.as_view(),
        name="hsds_review",
    ),
    path(
        f"{_BASE}import/vorlage.csv",
        import_views.TemplateDownloadView.as_view(fmt="csv"),
        name="template_csv",
    ),
    path(
        f"{_BASE}import/vorlage.xlsx",
        import_views.TemplateDownloadView.as_view(fmt="xlsx"),
        name="template_xlsx",
    ),
    path(
        f"{_BASE}export.csv", import_views.ExportDownloadView.as_view(fmt="csv"), name="export_csv"
    ),
    path(f"{_BASE}export-hsds/", import_views.HsdsExportView.as_view(), name="export_hsds"),
    path(
        f"{_BASE}export.xlsx",
        import_views.ExportDownloadView.as_view(fmt="xlsx"),
        name="export_xlsx",
    ),
]
