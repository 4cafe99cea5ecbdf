"""Response headers that keep kette's pages from loading anything from elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def _content_security_policy() -> str:
    img_sources = ["'self'", "data:"]
    if settings.KETTE_MAP_TILE_URL:
        # Leaflet's "{s}" subdomain placeholder becomes a wildcard.
        parts = urlsplit(settings.KETTE_MAP_TILE_URL)
        img_sources.append(f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Leaflet positions map panes with inline styles.
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(img_sources)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every HTML response."""

    # The interactive API docs page (django-ninja) runs an inline bootstrap script.
    exempt_prefixes = ("/api/docs",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = _content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.exempt_prefixes):
            response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response


class LanguageMiddleware:
    """German unless the visitor chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; kette
    speaks German by default (LANGUAGE_CODE) and honours only the explicit
    choice stored in the language cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
