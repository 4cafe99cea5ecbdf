"""The cooperation network as files for Gephi and spreadsheets (GraphML, GEXF, CSV).

Nodes are organisations (names are public facts about institutions, not people);
the files carry the same filters and measures as the network page. The CSV
files write a name that a spreadsheet would run as a formula with a leading
apostrophe (`kette.core.spreadsheets.formula_safe`).
"""

from __future__ import annotations

import csv
import io

import networkx as nx

from kette.core.spreadsheets import formula_safe
from kette.core.text import german_decimal
from kette.network import selectors
from kette.network.analytics import NetworkAnalysis
from kette.network.models import CooperationKind

KIND_LABELS = dict(CooperationKind.choices)


def annotated_graph(analysis: NetworkAnalysis) -> nx.Graph:
    """A copy of the analysis graph with plain attributes (strings and numbers only)."""
    measures = analysis.measures
    community_of = measures.community_of
    articulation = set(measures.articulation_points)
    graph = nx.Graph()
    for pk, org in analysis.organizations.items():
        sector = selectors.sector_of(org)
        graph.add_node(
            pk,
            label=org.name,
            sector=sector.name if sector else "",
            degree=measures.degree.get(pk, 0),
            betweenness=round(measures.betweenness.get(pk, 0.0), 6),
            community=community_of.get(pk, 0) + 1,
            articulation_point=pk in articulation,
        )
    for a, b, data in analysis.graph.edges(data=True):
        graph.add_edge(
            a,
            b,
            weight=data["weight"],
            kinds=", ".join(str(KIND_LABELS.get(k, k)) for k in data["kinds"]),
        )
    return graph


def graphml(analysis: NetworkAnalysis) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(annotated_graph(analysis), buffer, encoding="utf-8")
    return buffer.getvalue()


def gexf(analysis: NetworkAnalysis) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(annotated_graph(analysis), buffer, encoding="utf-8")
    return buffer.getvalue()


def nodes_csv(analysis: NetworkAnalysis) -> str:
    graph = annotated_graph(analysis)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["ID", "Organisation", "Sektor", "Grad", "Betweenness", "Gruppe", "Schlüsselstelle"]
    )
    for pk, data in sorted(graph.nodes(data=True), key=lambda item: item[1]["label"]):
        writer.writerow(
            [
                pk,
                formula_safe(data["label"]),
                formula_safe(data["sector"]),
                data["degree"],
                german_decimal(data["betweenness"]),
                data["community"],
                "ja" if data["articulation_point"] else "nein",
            ]
        )
    return out.getvalue()


def edges_csv(analysis: NetworkAnalysis) -> str:
    graph = annotated_graph(analysis)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Quelle-ID", "Ziel-ID", "Quelle", "Ziel", "Art", "Stärke"])
    for a, b, data in sorted(graph.edges(data=True)):
        labels = (formula_safe(graph.nodes[a]["label"]), formula_safe(graph.nodes[b]["label"]))
        writer.writerow([a, b, *labels, data["kinds"], data["weight"]])
    return out.getvalue()
