from django.urls import path
from django.views.generic import TemplateView

from kette.core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("kommunen.geojson", views.municipalities_geojson, name="municipalities_geojson"),
    path("programm/", views.ProgrammeOverviewView.as_view(), name="programme_overview"),
    path("sprache/<str:language>/", views.set_language, name="set_language"),
    path("barrierefreiheit/", views.AccessibilityView.as_view(), name="accessibility"),
    path("datenquellen/", views.DataSourcesView.as_view(), name="data_sources"),
    path("impressum/", TemplateView.as_view(template_name="core/imprint.html"), name="imprint"),
    path("datenschutz/", TemplateView.as_view(template_name="core/privacy.html"), name="privacy"),
    path("k/<slug:municipality_slug>/", views.MunicipalityView.as_view(), name="municipality"),
    path(
        "k/<slug:municipality_slug>/arbeitsbereich/",
        views.WorkspaceView.as_view(),
        name="workspace",
    ),
    path(
        "k/<slug:municipality_slug>/profil/", views.ProfileEditView.as_view(), name="profile_edit"
    ),
    path("k/<slug:municipality_slug>/mitglieder/", views.MembersView.as_view(), name="members"),
    path(
        "k/<slug:municipality_slug>/mitglieder/<int:membership_pk>/austragen/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    path("k/<slug:municipality_slug>/verlauf/", views.ChangeLogView.as_view(), name="change_log"),
    path(
        "k/<slug:municipality_slug>/verlauf/<str:model_key>/<int:object_id>/",
        views.ObjectHistoryView.as_view(),
        name="object_history",
    ),
]
