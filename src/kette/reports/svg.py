"""Charts and maps as inline SVG: vector graphics in the PDF and on the page.

Every figure gets `role="img"` and an `aria-label`; the templates put a data
table beside it, so the numbers never live only in the picture.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# ColorBrewer YlOrRd, as the monitoring maps (1: lowest … 4: highest class).
CLASS_COLOURS = {1: "#ffffb2", 2: "#fecc5c", 3: "#fd8d3c", 4: "#e31a1c"}
NO_DATA = "#e6e6e6"
BAR = "#1f5f99"


def _rings(geometry: Mapping[str, Any]) -> Iterable[Sequence[Sequence[float]]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        yield from geometry["coordinates"]
    elif kind == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries", []):
            yield from _rings(part)


def choropleth(
    features: Sequence[Mapping[str, Any]],
    fills: Mapping[str, str],
    *,
    label: str,
    width: float = 480,
) -> SafeString:
    """A map of WGS84 features (`properties.code`, `properties.name`) coloured by
    `fills[code]` (missing: no data), in an equirectangular projection corrected
    for the latitude; each district carries its name as `<title>`."""
    points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    if not points:
        return mark_safe("")
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    x_scale = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * x_scale, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = width / span_x
    height = span_y * scale
    paths = []
    for feature in features:
        d = []
        for ring in _rings(feature["geometry"]):
            coords = " ".join(
                f"{(lon - west) * x_scale * scale:.1f},{(north - lat) * scale:.1f}"
                for lon, lat, *_rest in ring
            )
            d.append(f"M{coords}Z")
        code = str(feature["properties"].get("code", ""))
        name = escape(feature["properties"].get("name", code))
        fill = fills.get(code, NO_DATA)
        paths.append(
            f'<path d="{" ".join(d)}" fill="{fill}" stroke="#333" stroke-width="0.6">'
            f"<title>{name}</title></path>"
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'class="chart map">{"".join(paths)}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 - every text in it is escaped above


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
