from django.urls import path

from kette.directory import views

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
]
