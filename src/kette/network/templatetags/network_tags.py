"""Small formatting helpers of the network pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """0.4 → "40 %"; None → "–"."""
    if value is None:
        return "–"
    return f"{number_format(round(float(value) * 100), 0)} %"


@register.filter
def decimal2(value: Any) -> str:
    """A measure with two decimals in the active locale; None → "–"."""
    if value is None:
        return "–"
    # thousands grouped as elsewhere ("1.234,56", a goal's figure)
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    # number_format cuts off digits; round first.
    return number_format(round(float(value), 2), 2, force_grouping=True)


@register.filter
def change(value: Any) -> str:
    """A difference with its sign: +3, −0,05, ±0."""
    if value is None:
        return "–"
    if value == 0:
        return "±0"
    text = decimal2(abs(value))
    return f"+{text}" if value > 0 else f"−{text}"
