from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kette.api.urls import api

handler404 = "kette.core.views.page_not_found"

admin.site.site_header = "kette – Administration"
admin.site.site_title = "kette"

urlpatterns = [
    path("", include("kette.core.urls")),
    path("", include("kette.monitoring.urls")),
    path("", include("kette.learning.urls")),
    path("", include("kette.reports.urls")),
    path("", include("kette.directory.urls")),
    path("", include("kette.directory.import_urls")),
    path("", include("kette.directory.freshness_urls")),
    path("k/<slug:municipality_slug>/netzwerk/", include("kette.network.urls")),
    path("", include("kette.network.programme_urls")),
    path("", include("kette.directory.public_urls")),
    path("konto/", include("kette.core.account_urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
