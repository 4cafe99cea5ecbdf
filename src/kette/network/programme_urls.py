"""The network app's programme-wide pages (outside any municipality)."""

from django.urls import path

from kette.network import views

app_name = "network_programme"

urlpatterns = [
    path("programm/netzwerke/", views.ProgrammeComparisonView.as_view(), name="comparison"),
]
