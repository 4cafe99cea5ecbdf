"""Assembles every app's API router into one NinjaAPI; no business logic here."""

from ninja import NinjaAPI

from kette.core.api import router as core_router
from kette.network.api import router as network_router

api = NinjaAPI(
    title="kette API",
    version="1",
    description="Read access to kette's public data. HSDS endpoints follow under /api/hsds/.",
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", network_router)
