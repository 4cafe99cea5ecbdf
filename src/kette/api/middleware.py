"""Cross-origin reads of the public HSDS API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# The HSDS API and the OpenAPI document its root points to (`openapi_url`).
PUBLIC_PREFIXES = ("/api/hsds/", "/api/openapi.json")


class PublicAPICorsMiddleware:
    """`Access-Control-Allow-Origin: *` on every response under /api/hsds/ (errors
    included) and on /api/openapi.json: the HSDS API is public and read-only, any
    web page may use it. No credentials are allowed, so a visitor's session never
    reaches it from elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PUBLIC_PREFIXES):
            response["Access-Control-Allow-Origin"] = "*"
        return response
