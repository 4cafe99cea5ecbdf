"""Sections of a municipality's workspace that apps contribute.

core cannot link to the apps above it by name; each app registers its section
in AppConfig.ready, and the workspace shows the sections a user may use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: Any  # a lazy translation
    description: Any
    url_name: str  # reversed with municipality_slug
    permission: str  # a django-rules permission checked against the municipality
    position: int = 100
    # A short line of what needs attention to the user (e.g. "12 offers due for
    # a check"), or "" when nothing does; called with (municipality, user) on
    # the workspace page only (one query or so).
    status: Callable[[Any, Any], str] | None = None
    status_query: str = ""  # appended to the section's URL for the status line's link
    # The description for a user whose role uses the section otherwise (e.g. a
    # provider keeping its own offers), called with (municipality, user); None
    # or a falsy answer: `description`.
    describe: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True)
class SectionLink:
    section: Section
    url: str
    status: str = ""
    description: Any = ""

    @property
    def status_url(self) -> str:
        return self.url + self.section.status_query


_sections: dict[str, Section] = {}


@dataclass(frozen=True)
class MainLink:
    """An entry of the site's main navigation, shown to everyone."""

    key: str
    label: Any
    url_name: str
    position: int = 100


_main_links: dict[str, MainLink] = {}


def register_main_link(link: MainLink) -> None:
    _main_links[link.key] = link


def main_links() -> list[tuple[Any, str]]:
    """(label, url) of the registered main-navigation entries, in order."""
    return [
        (link.label, reverse(link.url_name))
        for link in sorted(_main_links.values(), key=lambda link: (link.position, link.key))
    ]


def register_section(section: Section) -> None:
    _sections[section.key] = section


def sections_for(user: Any, municipality: Any, *, with_status: bool = False) -> list[SectionLink]:
    """The registered sections `user` may use in `municipality`, in order; with
    `with_status`, each with its status line."""
    return [
        SectionLink(
            section,
            reverse(section.url_name, args=[municipality.slug]),
            section.status(municipality, user) if with_status and section.status else "",
            (section.describe and section.describe(municipality, user)) or section.description,
        )
        for section in sorted(_sections.values(), key=lambda s: (s.position, s.key))
        if user.has_perm(section.permission, municipality)
    ]


@dataclass(frozen=True)
class PublicLink:
    """A public page of a municipality that an app offers (e.g. its family guide),
    linked from the municipality's public page; with `shown_for`, only for the
    municipalities for which it returns True (e.g. those with something to show)."""

    key: str
    label: Any
    url_name: str  # reversed with municipality_slug
    position: int = 100
    shown_for: Callable[[Any], bool] | None = None


_public_links: dict[str, PublicLink] = {}


def register_public_link(link: PublicLink) -> None:
    _public_links[link.key] = link


def public_links(municipality: Any) -> list[tuple[Any, str]]:
    """(label, url) of the registered public pages of `municipality`, in order."""
    return [
        (link.label, reverse(link.url_name, args=[municipality.slug]))
        for link in sorted(_public_links.values(), key=lambda link: (link.position, link.key))
        if link.shown_for is None or link.shown_for(municipality)
    ]
