"""Benchmark: kette's network measures against networkx's bare calls (DESIGN §6).

Generates a random cooperation network (organisations in 14 sectors, ties of
four kinds, some parallel), then times

- kette: analytics.build_graph + analytics.network_measures (merging parallel
  ties, density, components, isolates, degree, betweenness, articulation
  points, Louvain, E-I per sector), and
- baseline: the same networkx calls on a ready-made graph, with betweenness
  computed the way kette computes it at that size (exact up to
  analytics.BETWEENNESS_EXACT_MAX_NODES organisations, above that sampled with
  the same k and seed),

and prints both with the ratio (target ≤ 1.5). The database is not involved.

    .venv/bin/python bench/network_analytics.py [ORGS] [TIES] [RUNS]

Defaults are the DESIGN size: 5,000 organisations, 50,000 ties, 3 runs each.
"""

from __future__ import annotations

import os
import random
import sys

import networkx as nx

sys.path.insert(0, "src")
sys.path.insert(0, os.path.dirname(__file__))

import django

# The analytics need Django's settings (translations), not the database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kette.settings")
django.setup()

from common import measure, side_by_side  # noqa: E402

from kette.network import analytics  # noqa: E402

KINDS = ["agreement", "referral", "joint_offer", "informal"]


def generate(orgs: int, ties: int, seed: int = 1) -> tuple[dict[int, int], list]:
    rng = random.Random(seed)
    nodes = {n: rng.randrange(14) for n in range(orgs)}
    edges = []
    while len(edges) < ties:
        a, b = rng.randrange(orgs), rng.randrange(orgs)
        if a != b:
            edges.append((a, b, rng.choice(KINDS), rng.randint(1, 3)))
    return nodes, edges


def kette(nodes: dict[int, int], edges: list) -> None:
    analytics.network_measures(analytics.build_graph(nodes, edges))


def baseline(graph: nx.Graph) -> None:
    nx.density(graph)
    list(nx.connected_components(graph))
    list(nx.isolates(graph))
    dict(graph.degree())
    if graph.number_of_nodes() <= analytics.BETWEENNESS_EXACT_MAX_NODES:
        nx.betweenness_centrality(graph, normalized=True)
    else:
        nx.betweenness_centrality(
            graph,
            k=analytics.BETWEENNESS_SAMPLE,
            normalized=True,
            seed=analytics.BETWEENNESS_SEED,
        )
    list(nx.articulation_points(graph))
    nx.community.louvain_communities(graph, weight="weight", seed=analytics.LOUVAIN_SEED)


def main() -> None:
    orgs = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    ties = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    nodes, edges = generate(orgs, ties)
    graph = analytics.build_graph(nodes, edges)  # the baseline gets the merged graph for free
    sampled = orgs > analytics.BETWEENNESS_EXACT_MAX_NODES
    label = f"{orgs} orgs / {ties} ties" + (
        f" (betweenness k={analytics.BETWEENNESS_SAMPLE})" if sampled else " (exact)"
    )
    ours = measure(label, lambda: kette(nodes, edges), repeat=runs, warmup=0)
    base = measure("networkx", lambda: baseline(graph), repeat=runs, warmup=0)
    print(f"{graph.number_of_edges()} distinct pairs after merging parallel ties")
    print(side_by_side("Network analytics vs. bare networkx", [(ours, base)], target=1.5))


if __name__ == "__main__":
    main()
