from django.urls import path

from kette.network import views

app_name = "network"

urlpatterns = [
    path("", views.SteeringStructureView.as_view(), name="structure"),
    path("kooperationen/", views.NetworkView.as_view(), name="network"),
    path("personen/", views.PeopleView.as_view(), name="people"),
]
