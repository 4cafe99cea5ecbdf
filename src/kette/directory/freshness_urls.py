from django.urls import path

from kette.directory import freshness_views

app_name = "directory_freshness"

urlpatterns = [
    path(
        "k/<slug:municipality_slug>/angebote/noch-aktuell/<str:reminder_token>/",
        freshness_views.ConfirmCurrentView.as_view(),
        name="confirm",
    ),
]
