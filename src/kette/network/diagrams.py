"""Geometry of the server-rendered SVG diagrams (no JavaScript).

The steering-structure diagram is an indented tree, one row per body: the body's
name in a box, a line to its parent, and one chip per sector with the number of
members (white text on the sector colour, which the default colours keep at
≥ 4.5:1). The network drawing places organisations with networkx's
spring_layout under a fixed seed, so the same data always draws the same way.
Both sit beside tables with the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kette.network import analytics
from kette.network.analytics import BodyQuality
from kette.network.models import CooperationKind, Sector
from kette.network.selectors import BodyNode, flatten

ROW = 56
INDENT = 36
BOX_HEIGHT = 40
CHAR = 7.8  # average glyph width at 13px (bold a little wider), enough to size boxes
NEUTRAL = "#4d4d4d"


def _text_width(text: str, *, bold: bool = False) -> float:
    return len(text) * (CHAR + (0.8 if bold else 0)) + 16


@dataclass
class Chip:
    x: float
    width: float
    color: str
    label: str


@dataclass
class TreeRow:
    body: Any
    x: float
    y: float
    width: float
    parent_x: float | None = None
    parent_y: float | None = None
    chips: list[Chip] = field(default_factory=list)


@dataclass
class TreeDiagram:
    rows: list[TreeRow]
    width: float
    height: float


def tree_diagram(roots: list[BodyNode], qualities: dict[int, BodyQuality]) -> TreeDiagram:
    rows: list[TreeRow] = []
    position: dict[int, TreeRow] = {}
    max_x = 0.0
    for index, node in enumerate(flatten(roots)):
        body = node.body
        x = 8 + node.depth * INDENT
        y = 8 + index * ROW
        row = TreeRow(body=body, x=x, y=y, width=_text_width(body.name, bold=True))
        parent = position.get(body.parent_id) if body.parent_id else None
        if parent is not None:
            row.parent_x, row.parent_y = parent.x + 14, parent.y + BOX_HEIGHT
        chip_x = x + row.width + 10
        quality = qualities.get(body.pk)
        for sector, count in quality.sector_counts if quality else []:
            # The legend carries the full names; the chips keep the short form.
            name = sector.name.split(" (")[0] if sector else _("without sector")
            label = f"{name}: {count}"
            width = _text_width(label)
            row.chips.append(
                Chip(
                    x=chip_x,
                    width=width,
                    color=sector.color if sector else NEUTRAL,
                    label=label,
                )
            )
            chip_x += width + 6
        max_x = max(max_x, chip_x)
        position[body.pk] = row
        rows.append(row)
    return TreeDiagram(rows=rows, width=max(max_x + 8, 320), height=8 + len(rows) * ROW)


# Line styles by tie kind: visible without colour.
KIND_STYLE = {
    CooperationKind.AGREEMENT: "",
    CooperationKind.JOINT_OFFER: "",
    CooperationKind.REFERRAL: "8 4",
    CooperationKind.INFORMAL: "2 4",
}


@dataclass
class GraphNode:
    pk: int
    number: int  # the node's number in the organisation table
    x: float
    y: float
    color: str
    label: str


@dataclass
class GraphEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: int
    dash: str


@dataclass
class GraphDrawing:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: int
    height: int


def graph_drawing(
    analysis: analytics.NetworkAnalysis,
    numbers: dict[int, int],
    *,
    width: int = 860,
    height: int = 620,
) -> GraphDrawing:
    """Nodes carry their number from the organisation table (names would overlap);
    each node's <title> holds the name for pointer users."""
    graph = analysis.graph
    positions = analytics.spring_positions(graph, width=width, height=height, margin=24)
    nodes = []
    for pk, (x, y) in sorted(positions.items()):
        sector_pk = graph.nodes[pk]["sector"]
        sector: Sector | None = analysis.sectors.get(sector_pk) if sector_pk else None
        nodes.append(
            GraphNode(
                pk=pk,
                number=numbers[pk],
                x=round(x, 1),
                y=round(y, 1),
                color=sector.color if sector else NEUTRAL,
                label=analysis.organizations[pk].name,
            )
        )
    edges = []
    for a, b, data in graph.edges(data=True):
        (x1, y1), (x2, y2) = positions[a], positions[b]
        kinds = data["kinds"]
        # A formal kind wins when several tie kinds join the same pair.
        dash = min((KIND_STYLE.get(k, "") for k in kinds), key=len)
        edges.append(
            GraphEdge(round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1), data["weight"], dash)
        )
    return GraphDrawing(nodes=nodes, edges=edges, width=width, height=height)
