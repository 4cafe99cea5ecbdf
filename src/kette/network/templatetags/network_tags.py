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
    # number_format cuts off digits; round first.
    return number_format(round(float(value), 2), 2)
