"""URLs of the public family guide (Familienwegweiser); no login needed."""

from django.urls import path

from kette.directory import public_views

app_name = "guide"

urlpatterns = [
    path("familienwegweiser/", public_views.ProgrammeGuideView.as_view(), name="programme"),
    path(
        "k/<slug:municipality_slug>/familienwegweiser/",
        public_views.MunicipalityGuideView.as_view(),
        name="search",
    ),
    path(
        "k/<slug:municipality_slug>/familienwegweiser/<int:service_pk>/",
        public_views.GuideDetailView.as_view(),
        name="detail",
    ),
]
