from django.urls import path

from kette.monitoring import views

app_name = "monitoring"

PREFIX = "k/<slug:municipality_slug>/monitoring/"

urlpatterns = [
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
    path(PREFIX + "bedarfsindex/", views.NeedIndexView.as_view(), name="need_index"),
]
