"""Charts and maps as inline SVG: vector graphics in the PDF and on the page.

Every figure gets `role="img"` and an `aria-label`; the templates put a data
table beside it, so the numbers never live only in the picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kette.monitoring.charts import static_map

# ColorBrewer YlOrRd, as the monitoring maps (1: lowest … 4: highest class).
CLASS_COLOURS = {1: "#ffffb2", 2: "#fecc5c", 3: "#fd8d3c", 4: "#e31a1c"}
BAR = "#1f5f99"


def choropleth(
    features: Sequence[Mapping[str, Any]],
    fills: Mapping[str, str],
    *,
    label: str,
    width: float = 480,
) -> SafeString:
    """A map of WGS84 features coloured by `fills[code]` (missing: no data); the
    monitoring app's static map, where each district carries its name as `<title>`."""
    return static_map(features, fills, label=label, width=width)


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    label: str,
    width: float = 480,
    bar_height: float = 14,
    label_width: float = 170,
    number_format: Any = None,
) -> SafeString:
    """Horizontal bars, one per row (label, value), with the value written at the bar."""
    if not rows:
        return mark_safe("")
    fmt = number_format or (lambda value: f"{value:g}")
    largest = max((value for _label, value in rows), default=0) or 1
    room = width - label_width - 40
    gap = 5
    height = len(rows) * (bar_height + gap) + gap
    parts = []
    for i, (text, value) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        length = max(room * value / largest, 0)
        parts.append(
            f'<text x="{label_width - 6:.0f}" y="{y + bar_height * 0.75:.1f}" '
            f'text-anchor="end" font-size="9">{escape(text)}</text>'
            f'<rect x="{label_width:.0f}" y="{y:.1f}" width="{length:.1f}" '
            f'height="{bar_height:.0f}" fill="{BAR}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.75:.1f}" '
            f'font-size="9">{escape(fmt(value))}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'class="chart" font-family="Source Sans Pro, sans-serif">{"".join(parts)}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 - every text in it is escaped above
