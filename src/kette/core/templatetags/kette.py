from typing import Any

from django import template

from kette.core.navigation import SectionLink, public_links, sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_sections(context: dict[str, Any], municipality: Any) -> list[SectionLink]:
    """The workspace sections the current user may use in `municipality`."""
    return sections_for(context["request"].user, municipality)


@register.simple_tag
def municipality_public_links(municipality: Any) -> list[tuple[Any, str]]:
    """The public pages apps offer for `municipality` (label, url)."""
    return public_links(municipality)
