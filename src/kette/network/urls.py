from django.urls import path

from kette.network import views

app_name = "network"

urlpatterns = [
    path("", views.SteeringStructureView.as_view(), name="structure"),
    path("kooperationen/", views.NetworkView.as_view(), name="network"),
    path(
        "kooperationen.graphml",
        views.NetworkExportView.as_view(kind="graphml"),
        name="export_graphml",
    ),
    path("kooperationen.gexf", views.NetworkExportView.as_view(kind="gexf"), name="export_gexf"),
    path("knoten.csv", views.NetworkExportView.as_view(kind="nodes"), name="export_nodes"),
    path("kanten.csv", views.NetworkExportView.as_view(kind="edges"), name="export_edges"),
    path("sektoren/", views.SectorsView.as_view(), name="sectors"),
    path("import/", views.NetworkImportView.as_view(), name="import"),
    path("export/", views.NetworkDataExportView.as_view(), name="export"),
    path("personen/", views.PeopleView.as_view(), name="people"),
]
