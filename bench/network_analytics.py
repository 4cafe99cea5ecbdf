"""Benchmark: kette's network measures against networkx's bare calls (DESIGN §6).

Generates a random cooperation network (organisations in 14 sectors, ties of
four kinds, some parallel), then times

- kette: analytics.build_graph + analytics.network_measures (merging parallel
  ties, density, components, isolates, degree, betweenness, articulation
  points, Louvain, E-I per sector), and
- baseline: the same networkx calls on a ready-made graph,

and prints both with the ratio (target ≤ 1.5). The database is not involved.

    .venv/bin/python bench/network_analytics.py [ORGS] [TIES]

Defaults are 1,000 organisations and 10,000 ties; DESIGN §6 names 5,000 and
50,000, where exact betweenness alone takes minutes on a small machine.
"""

from __future__ import annotations

import random
import sys
import time

import networkx as nx

sys.path.insert(0, "src")

import os

import django

# The analytics need Django's settings (translations), not the database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kette.settings")
django.setup()

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
    nx.betweenness_centrality(graph, normalized=True)
    list(nx.articulation_points(graph))
    nx.community.louvain_communities(graph, weight="weight", seed=analytics.LOUVAIN_SEED)


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> None:
    orgs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    ties = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    nodes, edges = generate(orgs, ties)
    graph = analytics.build_graph(nodes, edges)  # the baseline gets the merged graph for free
    runs = 3
    kette_times = sorted(timed(kette, nodes, edges) for _ in range(runs))
    base_times = sorted(timed(baseline, graph) for _ in range(runs))
    k, b = kette_times[runs // 2], base_times[runs // 2]
    print(f"{orgs} Organisationen, {ties} Kooperationen ({graph.number_of_edges()} Paare)")
    print(f"kette    median {k:8.3f} s")
    print(f"networkx median {b:8.3f} s")
    print(f"ratio {k / b:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
