"""Server-side SVG charts of the monitoring pages: a bar chart of one indicator's
districts, small line charts of time series, and a static map for the printable
view. Every figure has `role="img"` and an `aria-label`; the pages put a data
table with the same numbers beside it. Values reach these functions only after
disclosure control; a suppressed value is drawn as "." without a bar.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kette.monitoring.classify import NO_VALUE_COLOUR, SUPPRESSED_COLOUR

HATCH_ID = "kette-hatch"
# Diagonal grey lines: suppressed districts, told apart from "no value" without colour.
HATCH_DEFS = (
    f'<defs><pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="6" height="6" '
    f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    f'<line x1="0" y1="0" x2="0" y2="6" stroke="{SUPPRESSED_COLOUR}" stroke-width="2.5"/>'
    f"</pattern></defs>"
)
HATCH_FILL = f"url(#{HATCH_ID})"


def hatch_svg() -> SafeString:
    """An invisible SVG holding the hatch pattern, for Leaflet's paths to refer to."""
    return mark_safe(  # noqa: S308 - constant markup
        f'<svg width="0" height="0" aria-hidden="true" focusable="false" '
        f'style="position:absolute">{HATCH_DEFS}</svg>'
    )


SERIES_COLOURS = ["#1f5f99", "#b35806", "#4d4d4d"]  # district A, district B, the mean
SERIES_DASHES = ["", "6 3", "2 2"]


def _svg(
    label: str, width: float, height: float, body: str, css_class: str = "chart"
) -> SafeString:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'class="{css_class}" font-family="sans-serif">{body}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 - every text in it is escaped by the callers


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed or missing
    display: str
    colour: str


def bar_chart(
    bars: Sequence[Bar], *, label: str, width: float = 520, label_width: float = 190
) -> SafeString:
    """Horizontal bars in the given order, each coloured by its class; negative
    values grow to the left of a zero line."""
    if not bars:
        return mark_safe("")
    bar_height, gap = 14, 5
    values = [b.value for b in bars if b.value is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0
    room = width - label_width - 60
    zero = label_width + room * (0 - low) / span
    height = len(bars) * (bar_height + gap) + gap
    parts = [f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height}" stroke="#4d4d4d"/>']
    for i, bar in enumerate(bars):
        y = gap + i * (bar_height + gap)
        text_y = y + bar_height * 0.78
        parts.append(
            f'<text x="{label_width - 6:.0f}" y="{text_y:.1f}" text-anchor="end" '
            f'font-size="10">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text x="{zero + 4:.1f}" y="{text_y:.1f}" font-size="10">'
                f"{escape(bar.display)}</text>"
            )
            continue
        end = label_width + room * (bar.value - low) / span
        x, length = min(zero, end), abs(end - zero)
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{bar.colour or NO_VALUE_COLOUR}" stroke="#333" stroke-width="0.5"/>'
            f'<text x="{max(zero, end) + 4:.1f}" y="{text_y:.1f}" font-size="10">'
            f"{escape(bar.display)}</text>"
        )
    return _svg(label, width, height, "".join(parts))


@dataclass(frozen=True)
class Series:
    name: str
    points: Mapping[int, float | None]  # year → published value (None: suppressed/missing)


def line_chart(
    series: Sequence[Series],
    years: Sequence[int],
    *,
    label: str,
    width: float = 320,
    height: float = 140,
    number_format: Any = None,
) -> SafeString:
    """Small multiple: one line per series over `years`, gaps where a value is
    suppressed or missing; the lowest and highest value and the first and last
    year are written on the axes."""
    fmt = number_format or (lambda value: f"{value:g}")
    values = [v for s in series for v in s.points.values() if v is not None]
    if not values or not years:
        return mark_safe("")
    left, right, top, bottom = 52, 8, 8, 22
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    first, last = min(years), max(years)
    x_span = (last - first) or 1

    def x(year: int) -> float:
        return left + (width - left - right) * (year - first) / x_span

    def y(value: float) -> float:
        return top + (height - top - bottom) * (high - value) / (high - low)

    parts = [
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#4d4d4d"/>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="#4d4d4d"/>',
        f'<text x="{left - 4}" y="{y(high) + 4:.1f}" text-anchor="end" font-size="10">'
        f"{escape(fmt(high))}</text>",
        f'<text x="{left - 4}" y="{y(low):.1f}" text-anchor="end" font-size="10">'
        f"{escape(fmt(low))}</text>",
        f'<text x="{x(first):.1f}" y="{height - 6}" font-size="10">{first}</text>',
        f'<text x="{x(last):.1f}" y="{height - 6}" text-anchor="end" font-size="10">{last}</text>',
    ]
    for index, one in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[index % len(SERIES_DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(one.points, years):
            if len(run) > 1:
                coords = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in run)
                parts.append(
                    f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
            for yr, v in run:
                parts.append(f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>')
    return _svg(label, width, height, "".join(parts), "chart line-chart")


def _runs(
    points: Mapping[int, float | None], years: Sequence[int]
) -> list[list[tuple[int, float]]]:
    """Consecutive years with a value; a gap (suppressed, missing) breaks the line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for year in sorted(years):
        value = points.get(year)
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((year, value))
    return [run for run in runs if run]


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


def static_map(
    features: Sequence[Mapping[str, Any]],
    fills: Mapping[str, str],
    *,
    label: str,
    width: float = 560,
) -> SafeString:
    """WGS84 features (`properties.code`, `.name`) filled with `fills[code]` (a
    colour or HATCH_FILL; missing: no value), in an equirectangular projection
    corrected for the latitude. For printing, where Leaflet has no place."""
    points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    if not points:
        return mark_safe("")
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    x_scale = math.cos(math.radians((south + north) / 2))
    scale = width / max((east - west) * x_scale, 1e-9)
    height = max(north - south, 1e-9) * scale
    paths = [HATCH_DEFS]
    for feature in features:
        d = " ".join(
            "M"
            + " ".join(
                f"{(lon - west) * x_scale * scale:.1f},{(north - lat) * scale:.1f}"
                for lon, lat, *_rest in ring
            )
            + "Z"
            for ring in _rings(feature["geometry"])
        )
        code = str(feature["properties"].get("code", ""))
        name = escape(feature["properties"].get("name", code))
        fill = fills.get(code, NO_VALUE_COLOUR)
        paths.append(
            f'<path d="{d}" fill="{fill}" stroke="#333" stroke-width="0.6">'
            f"<title>{name}</title></path>"
        )
    return _svg(label, width, height, "".join(paths), "chart map")
