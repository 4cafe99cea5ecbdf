"""The cross-tenant leak harness.

`iter_routes()` walks every URL pattern of the project (pages, admin, API) and
builds a concrete URL for municipality A of a two-municipality test world. The
test in kette/core/tests/test_tenancy.py requests each URL as an anonymous
visitor and as users of municipality B in every role, and fails when

- a response contains a secret marker that only A's internal data carries,
- a protected view of A answers an outsider with anything but login/403/404/405,
- an outsider's POST changes any recorded data, or
- a server error occurs.

Apps extend it without touching the test:
- `register_kwarg(name, provider)` for every URL keyword their patterns use
  (the provider gets the `World` and returns the value for A's object);
- `register_seeder(seeder)` to create A's internal objects carrying
  `world.secret` in a field only A's people may see.
A pattern with a keyword nobody registered fails the test, so a new view
cannot slip past the harness.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

SECRET = "GEHEIM-A-7f3c"


@dataclass
class World:
    """Two municipalities of one programme; A holds the secrets."""

    programme: Any
    a: Any
    b: Any
    secret: str = SECRET
    objects: dict[str, Any] = field(default_factory=dict)


KwargProvider = Callable[[World], Any]
_kwarg_providers: dict[str, KwargProvider] = {}
_seeders: list[Callable[[World], None]] = []


def register_kwarg(name: str, provider: KwargProvider) -> None:
    _kwarg_providers[name] = provider


def register_seeder(seeder: Callable[[World], None]) -> None:
    if seeder not in _seeders:
        _seeders.append(seeder)


def seed(world: World) -> None:
    for seeder in _seeders:
        seeder(world)


@dataclass(frozen=True)
class Route:
    path: str
    name: str
    callback: Any

    @property
    def permission_required(self) -> str | None:
        view_class = getattr(self.callback, "view_class", None)
        return getattr(view_class, "permission_required", None)

    @property
    def is_tenant_route(self) -> bool:
        return self.path.startswith("/k/")


_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _fill(piece: Any, world: World, missing: set[str]) -> str:
    def value_for(name: str) -> str:
        provider = _kwarg_providers.get(name)
        if provider is None:
            missing.add(name)
            return "x"
        return str(provider(world))

    text = str(piece)
    if hasattr(piece, "_route"):
        return _ROUTE_PARAM.sub(lambda m: value_for(m.group("name")), text)
    text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    text = _REGEX_GROUP.sub(lambda m: value_for(m.group("name")), text)
    return text.replace("\\", "")


def iter_routes(world: World) -> Iterator[tuple[Route, set[str]]]:
    """Every URL pattern as a concrete path for A, with keywords nobody provides."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[Route, set[str]]]:
        for pattern in patterns:
            missing: set[str] = set()
            piece = _fill(pattern.pattern, world, missing)
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                for route, inner_missing in walk(pattern.url_patterns, prefix + piece, ns):
                    yield route, inner_missing | missing
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                yield Route("/" + prefix + piece, name, pattern.callback), missing

    yield from walk(get_resolver().url_patterns, "", "")
