"""Cross-origin reads of the public HSDS API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse

# The HSDS API and the OpenAPI document its root points to (`openapi_url`).
PUBLIC_PREFIXES = ("/api/hsds/", "/api/openapi.json")
PUBLIC_PATHS = ("/api/hsds",)  # redirected to /api/hsds/
ALLOWED_METHODS = "GET, HEAD, OPTIONS"


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES) or path in PUBLIC_PATHS


class PublicAPICorsMiddleware:
    """`Access-Control-Allow-Origin: *` on every response under /api/hsds/ (errors
    and the redirect of /api/hsds included) and on /api/openapi.json: the HSDS API
    is public and read-only, any web page may use it. No credentials are allowed,
    so a visitor's session never reaches it from elsewhere.

    Also for these paths: a CORS preflight (`OPTIONS`) is answered here with the
    methods and request headers allowed; `HEAD` answers as `GET` without a body;
    an unknown path answers a JSON 404 like the API's own errors (anywhere under
    /api/, without CORS outside the public paths)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_public(request.path):
            response = self.get_response(request)
            if request.path.startswith("/api/"):
                return _json_404(response)
            return response
        response: HttpResponse
        if request.path in PUBLIC_PATHS:  # here rather than by CommonMiddleware: with CORS
            query = request.META.get("QUERY_STRING", "")
            response = HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
        elif request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOWED_METHODS
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Accept, Content-Type"
            )
            response["Access-Control-Max-Age"] = "86400"
        elif request.method == "HEAD":
            request.method = "GET"
            response = self.get_response(request)
            request.method = "HEAD"
            if not response.streaming:
                response["Content-Length"] = str(len(response.content))
                response.content = b""
        else:
            response = self.get_response(request)
        response = _json_404(response)
        response["Access-Control-Allow-Origin"] = "*"
        return response


def _json_404(response: HttpResponse) -> HttpResponse:
    """An HTML 404 (unknown path) under /api/ as JSON, like the API's own errors."""
    if response.status_code == 404 and not response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return JsonResponse({"detail": "Nicht gefunden"}, status=404)
    return response
