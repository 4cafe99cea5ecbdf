from django.urls import path

from kette.network import views

app_name = "network"

urlpatterns = [
    path("", views.SteeringStructureView.as_view(), name="structure"),
    path("gremien/neu/", views.BodyCreateView.as_view(), name="body_create"),
    path("gremien/<int:body_pk>/", views.BodyEditView.as_view(), name="body_edit"),
    path("gremien/<int:body_pk>/loeschen/", views.BodyDeleteView.as_view(), name="body_delete"),
    path(
        "gremien/<int:body_pk>/mitglieder/neu/",
        views.MembershipCreateView.as_view(),
        name="membership_create",
    ),
    path(
        "mitgliedschaften/<int:body_membership_pk>/",
        views.MembershipEditView.as_view(),
        name="membership_edit",
    ),
    path(
        "mitgliedschaften/<int:body_membership_pk>/loeschen/",
        views.MembershipDeleteView.as_view(),
        name="membership_delete",
    ),
    path("kooperationen/", views.NetworkView.as_view(), name="network"),
    path("kooperationen/erfasst/", views.CooperationListView.as_view(), name="cooperations"),
    path("kooperationen/neu/", views.CooperationCreateView.as_view(), name="cooperation_create"),
    path(
        "kooperationen/<int:cooperation_pk>/",
        views.CooperationEditView.as_view(),
        name="cooperation_edit",
    ),
    path(
        "kooperationen/<int:cooperation_pk>/loeschen/",
        views.CooperationDeleteView.as_view(),
        name="cooperation_delete",
    ),
    path(
        "kooperationen.graphml",
        views.NetworkExportView.as_view(kind="graphml"),
        name="export_graphml",
    ),
    path("kooperationen.gexf", views.NetworkExportView.as_view(kind="gexf"), name="export_gexf"),
    path("knoten.csv", views.NetworkExportView.as_view(kind="nodes"), name="export_nodes"),
    path("kanten.csv", views.NetworkExportView.as_view(kind="edges"), name="export_edges"),
    path("sektoren/", views.SectorsView.as_view(), name="sectors"),
    path("sektoren/neu/", views.SectorCreateView.as_view(), name="sector_create"),
    path(
        "sektoren/<int:sector_pk>/loeschen/", views.SectorDeleteView.as_view(), name="sector_delete"
    ),
    path("import/", views.NetworkImportView.as_view(), name="import"),
    path("export/", views.NetworkDataExportView.as_view(), name="export"),
    path("personen/", views.PeopleView.as_view(), name="people"),
    path("personen/neu/", views.PersonCreateView.as_view(), name="person_create"),
    path("personen/<int:person_pk>/", views.PersonEditView.as_view(), name="person_edit"),
    path(
        "personen/<int:person_pk>/loeschen/", views.PersonDeleteView.as_view(), name="person_delete"
    ),
]
