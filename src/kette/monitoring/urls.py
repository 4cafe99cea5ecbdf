from django.urls import path

from kette.monitoring import manage_views, upload_views, views

app_name = "monitoring"

PREFIX = "k/<slug:municipality_slug>/monitoring/"

urlpatterns = [
    path(
        "programm/monitoring/vergleich/",
        views.StateComparisonView.as_view(),
        name="state_comparison",
    ),
    path(
        "programm/monitoring/vergleich.csv",
        views.StateComparisonCSVView.as_view(),
        name="state_comparison_csv",
    ),
    path(PREFIX, views.DistrictsView.as_view(), name="districts"),
    path(
        PREFIX + "sozialraeume.geojson",
        views.DistrictsGeoJSONView.as_view(),
        name="districts_geojson",
    ),
    path(PREFIX + "indikatoren/", views.IndicatorValuesView.as_view(), name="indicator_values"),
    path(
        PREFIX + "indikatoren/<slug:indicator_key>/<int:year>.csv",
        views.IndicatorCSVView.as_view(),
        name="indicator_csv",
    ),
    path(
        PREFIX + "indikatoren/<slug:indicator_key>/<int:year>/loeschen/",
        manage_views.ObservationsDeleteView.as_view(),
        name="observations_delete",
    ),
    path(PREFIX + "karte/", views.ChoroplethView.as_view(), name="choropleth"),
    path(
        PREFIX + "karte.geojson", views.ChoroplethGeoJSONView.as_view(), name="choropleth_geojson"
    ),
    path(
        PREFIX + "sozialraum/<str:district_code>/",
        views.DistrictProfileView.as_view(),
        name="district_profile",
    ),
    path(
        PREFIX + "sozialraum/<str:district_code>/loeschen/",
        manage_views.DistrictDeleteView.as_view(),
        name="district_delete",
    ),
    path(PREFIX + "vergleich/", views.DistrictComparisonView.as_view(), name="district_comparison"),
    path(PREFIX + "bedarfsindex/", views.NeedIndexView.as_view(), name="need_index"),
    path(PREFIX + "versorgung/", views.GapView.as_view(), name="gaps"),
    path(PREFIX + "versorgung.geojson", views.GapGeoJSONView.as_view(), name="gaps_geojson"),
    path(
        PREFIX + "daten/werte/",
        upload_views.ObservationUploadView.as_view(),
        name="upload_observations",
    ),
    path(
        PREFIX + "daten/werte/pruefen/<str:upload_token>/",
        upload_views.ObservationReviewView.as_view(),
        name="upload_observations_review",
    ),
    path(
        PREFIX + "daten/sozialraeume/",
        upload_views.DistrictUploadView.as_view(),
        name="upload_districts",
    ),
    path(
        PREFIX + "daten/sozialraeume/pruefen/<str:upload_token>/",
        upload_views.DistrictReviewView.as_view(),
        name="upload_districts_review",
    ),
]
