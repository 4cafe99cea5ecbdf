"""Assembles every app's API router into one NinjaAPI; no business logic here."""

from typing import Any

from ninja import NinjaAPI, Swagger

from kette.api import errors
from kette.core.api import router as core_router
from kette.directory import hsds_openapi
from kette.directory.api import router as hsds_router
from kette.monitoring.api import router as monitoring_router
from kette.network.api import router as network_router


class KetteAPI(NinjaAPI):
    """The OpenAPI document also carries the official HSDS schemas as components,
    which the HSDS endpoints' responses refer to."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(
            hsds_openapi.components()
        )
        return schema


class AccessibleSwagger(Swagger):
    """Swagger UI in a page of kette's own (`api/docs.html`): the page's language,
    a main landmark and colours with enough contrast (WCAG 2.1 AA); no deep
    links, whose anchors Swagger UI nests inside the buttons that open an
    operation (axe-core: nested-interactive)."""

    template = "api/docs.html"
    default_settings = {
        **Swagger.default_settings,
        "deepLinking": False,
        "syntaxHighlight": False,  # its colours fail the contrast check
    }


api = KetteAPI(
    title="kette API",
    version="1",
    description=(
        "Read access to kette's public data. `/api/hsds/` serves the offer directory "
        "in Open Referral HSDS 3.0 (programme-wide, or one municipality with "
        "`?municipality=SLUG`); see docs/hsds.md."
    ),
    urls_namespace="api",
    docs=AccessibleSwagger(),
)
errors.install(api)
api.add_router("/", core_router)
api.add_router("/", network_router)
api.add_router("/", monitoring_router)
api.add_router("/hsds/", hsds_router)
