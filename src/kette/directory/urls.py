from django.urls import path

from kette.directory import manage_views, views

app_name = "directory"

urlpatterns = [
    path(
        "k/<slug:municipality_slug>/angebote/", views.ServiceListView.as_view(), name="service_list"
    ),
    path(
        "k/<slug:municipality_slug>/angebote/kette/",
        views.ChainMatrixView.as_view(),
        name="chain_matrix",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/neu/",
        views.ServiceCreateView.as_view(),
        name="service_create",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/<int:service_pk>/bearbeiten/",
        views.ServiceEditView.as_view(),
        name="service_edit",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/<int:service_pk>/orte/",
        views.ServicePlacesView.as_view(),
        name="service_places",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/<int:service_pk>/status/",
        views.ServiceStatusView.as_view(),
        name="service_status",
    ),
    path(
        "k/<slug:municipality_slug>/traeger/",
        manage_views.OrganizationListView.as_view(),
        name="organization_list",
    ),
    path(
        "k/<slug:municipality_slug>/traeger/neu/",
        manage_views.OrganizationCreateView.as_view(),
        name="organization_create",
    ),
    path(
        "k/<slug:municipality_slug>/traeger/<int:organization_pk>/",
        manage_views.OrganizationEditView.as_view(),
        name="organization_edit",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/begriffe/",
        manage_views.VocabularyView.as_view(),
        name="vocabulary",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/begriffe/<int:term_pk>/",
        manage_views.TermEditView.as_view(),
        name="term_edit",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/einstellungen/",
        manage_views.DirectorySettingsView.as_view(),
        name="settings",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/aenderungen/",
        manage_views.ChangeListView.as_view(),
        name="change_list",
    ),
    path(
        "k/<slug:municipality_slug>/angebote/aenderungen/<int:change_pk>/",
        manage_views.ChangeReviewView.as_view(),
        name="change_review",
    ),
]
