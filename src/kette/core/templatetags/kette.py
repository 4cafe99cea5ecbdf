from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from kette.core.navigation import SectionLink, public_links, sections_for
from kette.core.text import interface_is_german

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


# German data in another interface language (WCAG 3.1.2; WeasyPrint hyphenates
# by the `lang` of an element). The content of kette (offers, names, the
# municipalities' vocabulary) is German; an entry that the interface shows
# translated says so with `name_translated` (kette.directory's vocabulary).


def _stays_german(value: Any) -> bool:
    return not interface_is_german() and not getattr(value, "name_translated", False)


@register.simple_tag
def lang_de(*values: Any) -> SafeString:
    """` lang="de"` for an element holding German data in a non-German interface:
    `<h1{% lang_de %}>{{ service.name }}</h1>`. Given vocabulary entries, only
    when one of them is shown as stored rather than translated."""
    if interface_is_german() or (
        values and all(getattr(value, "name_translated", False) for value in values)
    ):
        return mark_safe("")
    return mark_safe(' lang="de"')


@register.filter
def german_data(value: Any) -> SafeString:
    """A value as shown inline (a vocabulary entry by its `display_name`), inside
    `<span lang="de">` when it is German data in a non-German interface: for
    lists and for names inside translated sentences."""
    text = getattr(value, "display_name", value)
    if _stays_german(value):
        return format_html('<span lang="de">{}</span>', text)
    return format_html("{}", text)


@register.filter
def german_data_join(values: Any, separator: str = ", ") -> SafeString:
    """`german_data` of each value, joined: `{{ service.terms.all|german_data_join }}`."""
    parts = [german_data(value) for value in values]
    return format_html_join(conditional_escape(separator), "{}", ((part,) for part in parts))
