from typing import Any

from django import template

from kette.core.navigation import SectionLink, public_links, sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_sections(
    context: dict[str, Any], municipality: Any, with_status: bool = False
) -> list[SectionLink]:
    """The workspace sections the current user may use in `municipality` (with
    `with_status`: and what needs attention in each, for the workspace page)."""
    return sections_for(context["request"].user, municipality, with_status=with_status)


@register.simple_tag
def municipality_public_links(municipality: Any) -> list[tuple[Any, str]]:
    """The public pages apps offer for `municipality` (label, url)."""
    return public_links(municipality)
