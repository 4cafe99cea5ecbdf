"""Measures checked against small graphs and bodies computed by hand."""

import datetime as dt

import pytest

from kette.directory import services as directory_services
from kette.directory.models import LifePhase, TaxonomyTerm
from kette.network import analytics, services
from kette.network.models import BodyKind, CooperationKind, Level

DAY = dt.date(2026, 6, 1)


def test_blau_index_and_its_normalisation():
    assert analytics.blau_index([2, 1, 1]) == pytest.approx(0.625)
    assert analytics.blau_index([5]) == 0.0
    assert analytics.blau_index([]) == 0.0
    # Four sectors in the set: the maximum is 1 − 1/4 = 0.75.
    assert analytics.normalised_blau([2, 1, 1], 4) == pytest.approx(0.625 / 0.75)
    assert analytics.normalised_blau([1, 1, 1, 1], 4) == pytest.approx(1.0)
    assert analytics.normalised_blau([3], 1) == 0.0


def test_path_with_an_isolate():
    # 1 – 2 – 3 and 4 alone; sectors X = {1, 2}, Y = {3, 4}
    graph = analytics.build_graph(
        {1: "X", 2: "X", 3: "Y", 4: "Y"},
        [(1, 2, "informal", 1), (2, 3, "agreement", 3)],
    )
    m = analytics.network_measures(graph)
    assert (m.nodes, m.edges) == (4, 2)
    assert m.density == pytest.approx(2 / 6)
    assert m.components == [{1, 2, 3}, {4}]
    assert m.isolates == [4]
    assert m.degree == {1: 1, 2: 2, 3: 1, 4: 0}
    # Node 2 lies on the only path between 1 and 3: 1 pair of (n−1)(n−2)/2 = 3.
    assert m.betweenness[2] == pytest.approx(1 / 3)
    assert m.brokers == [(2, pytest.approx(1 / 3))]
    assert m.articulation_points == [2]
    # X: one tie inside, one leaving → (1 − 1)/2 = 0; Y: one leaving → +1.
    assert m.ei_by_sector["X"].value == 0.0
    assert m.ei_by_sector["Y"].value == 1.0
    assert m.ei_overall.value == 0.0


def test_two_triangles_joined_by_a_bridge():
    ties = [(1, 2, "i", 2), (2, 3, "i", 2), (1, 3, "i", 2)]
    ties += [(4, 5, "i", 2), (5, 6, "i", 2), (4, 6, "i", 2), (3, 4, "i", 1)]
    graph = analytics.build_graph({n: ("A" if n <= 3 else "B") for n in range(1, 7)}, ties)
    m = analytics.network_measures(graph)
    assert m.density == pytest.approx(7 / 15)
    assert m.articulation_points == [3, 4]
    # 3 carries the paths from {1, 2} to {4, 5, 6}: 6 pairs of 10.
    assert m.betweenness[3] == pytest.approx(6 / 10)
    assert m.betweenness[1] == 0.0
    assert m.communities == [{1, 2, 3}, {4, 5, 6}]
    # A: 3 inside, 1 leaving → (1 − 3)/4 = −0.5
    assert m.ei_by_sector["A"].value == pytest.approx(-0.5)
    assert m.ei_overall.value == pytest.approx((1 - 6) / 7)


def test_parallel_ties_merge_into_the_strongest_edge_and_unknown_nodes_drop():
    graph = analytics.build_graph(
        {1: None, 2: None}, [(1, 2, "agreement", 1), (2, 1, "informal", 3), (1, 9, "x", 2)]
    )
    assert graph.number_of_edges() == 1
    assert graph[1][2] == {"weight": 3, "kinds": ["agreement", "informal"]}
    per, overall = analytics.ei_indices(graph)
    assert per == {} and overall.value is None


def test_betweenness_is_estimated_from_a_fixed_sample_in_large_networks(monkeypatch):
    # A path 0 – 1 – … – 9: exact betweenness of node 1 is 8 / 36.
    graph = analytics.build_graph(
        dict.fromkeys(range(10), "X"), [(i, i + 1, "informal", 1) for i in range(9)]
    )
    exact = analytics.network_measures(graph)
    assert not exact.betweenness_sampled
    assert exact.betweenness[1] == pytest.approx(8 / 36)
    monkeypatch.setattr(analytics, "BETWEENNESS_EXACT_MAX_NODES", 5)
    monkeypatch.setattr(analytics, "BETWEENNESS_SAMPLE", 4)
    first, again = analytics.network_measures(graph), analytics.network_measures(graph)
    assert first.betweenness_sampled
    assert first.betweenness == again.betweenness  # fixed seed: the same estimate
    assert first.betweenness[0] == 0.0 and first.betweenness[9] == 0.0


def test_sampling_all_tied_nodes_reproduces_the_exact_values_despite_isolates(monkeypatch):
    # The path 0 – … – 9 and two isolates: sources are drawn among the tied nodes only,
    # and the estimate is rescaled to the normalisation of all twelve nodes.
    graph = analytics.build_graph(
        dict.fromkeys(range(12), "X"), [(i, i + 1, "informal", 1) for i in range(9)]
    )
    exact, sampled = analytics.betweenness(graph)
    assert not sampled and exact[1] == pytest.approx(8 / 55)
    monkeypatch.setattr(analytics, "BETWEENNESS_EXACT_MAX_NODES", 5)
    monkeypatch.setattr(analytics, "BETWEENNESS_SAMPLE", 10)
    estimate, sampled = analytics.betweenness(graph)
    assert sampled
    assert estimate == pytest.approx(exact)


def test_empty_graph_has_zero_measures():
    m = analytics.network_measures(analytics.build_graph({}, []))
    assert (m.nodes, m.edges, m.density, m.communities) == (0, 0, 0.0, [])


@pytest.mark.django_db
def test_steering_quality_of_a_body(world):
    m = world.a
    sectors = {s.code: s for s in services.sectors_ensure_defaults(m)}
    youth = directory_services.organization_create(actor=None, municipality=m, name="Jugendamt")
    health = directory_services.organization_create(
        actor=None, municipality=m, name="Gesundheitsamt"
    )
    welfare = directory_services.organization_create(actor=None, municipality=m, name="Caritas")
    services.organization_set_sector(actor=None, organization=youth, sector=sectors["jugendhilfe"])
    services.organization_set_sector(actor=None, organization=health, sector=sectors["gesundheit"])
    services.organization_set_sector(actor=None, organization=welfare, sector=sectors["wohlfahrt"])
    early_help = TaxonomyTerm.objects.get(code="fruehe-hilfen", municipality=None)
    directory_services.service_create(
        actor=None,
        organization=youth,
        name="Babybesuch",
        min_age_months=0,
        max_age_months=36,
        terms=[early_help],
    )
    body = services.body_create(
        actor=None, municipality=m, name="Lenkungskreis", kind=BodyKind.STEERING_GROUP
    )
    school_phase = LifePhase.objects.for_municipality(m).get(min_age_months=72)
    services.body_update(actor=None, body=body, life_phases=[school_phase])

    def person(name, org, level):
        return services.person_create(
            actor=None, municipality=m, name=name, organization=org, level=level
        )

    services.body_membership_add(actor=None, body=body, person=person("A", youth, Level.LEADERSHIP))
    services.body_membership_add(
        actor=None, body=body, person=person("B", health, Level.LEADERSHIP)
    )
    services.body_membership_add(actor=None, body=body, organization=welfare)
    services.body_membership_add(actor=None, body=body, person=person("C", None, Level.OPERATIONAL))
    # Ended before the day: not counted.
    services.body_membership_add(
        actor=None,
        body=body,
        person=person("D", youth, Level.LEADERSHIP),
        valid_until=dt.date(2025, 12, 31),
    )

    q = analytics.steering_quality(m, DAY)[body.pk]
    assert (q.members, q.members_with_sector) == (4, 3)
    # three sectors with one member each: B = 1 − 3·(1/3)² = 2/3; K = 14 default sectors
    assert q.blau == pytest.approx(2 / 3)
    assert q.intersectorality == pytest.approx((2 / 3) / (1 - 1 / 14))
    assert [s.code for s in q.core_present] == ["jugendhilfe", "gesundheit"]
    assert [s.code for s in q.core_missing] == ["bildung", "soziales", "integration"]
    assert q.core_coverage == pytest.approx(2 / 5)
    assert q.high_rank == pytest.approx(2 / 4)
    assert [p.min_age_months for p in q.life_phases_covered] == [0]
    assert q.life_phase_share == pytest.approx(1 / 6)
    assert [t.code for t in q.fields_covered] == ["fruehe-hilfen"]
    assert q.field_share == pytest.approx(1 / 12)
    assert q.declared_phases_missing == [school_phase]


@pytest.mark.django_db
def test_network_analysis_filters_and_findings(world):
    m = world.a
    sectors = {s.code: s for s in services.sectors_ensure_defaults(m)}
    orgs = {}
    for name, code in [
        ("Jugendamt", "jugendhilfe"),
        ("Kita Sonne", "kita"),
        ("Gesundheitsamt", "gesundheit"),
        ("Hebammenpraxis", "gesundheit"),
    ]:
        orgs[name] = directory_services.organization_create(actor=None, municipality=m, name=name)
        services.organization_set_sector(actor=None, organization=orgs[name], sector=sectors[code])
    tie = services.cooperation_create
    tie(
        actor=None,
        organization_a=orgs["Jugendamt"],
        organization_b=orgs["Kita Sonne"],
        kind=CooperationKind.AGREEMENT,
        strength=3,
    )
    tie(
        actor=None,
        organization_a=orgs["Jugendamt"],
        organization_b=orgs["Gesundheitsamt"],
        kind=CooperationKind.REFERRAL,
    )
    tie(
        actor=None,
        organization_a=orgs["Gesundheitsamt"],
        organization_b=orgs["Hebammenpraxis"],
        kind=CooperationKind.INFORMAL,
        valid_from=dt.date(2026, 7, 1),
    )

    result = analytics.analyse_network(m, analytics.NetworkFilter(day=DAY))
    assert (result.measures.nodes, result.measures.edges) == (4, 2)
    assert result.measures.isolates == [orgs["Hebammenpraxis"].pk]
    assert (
        "Der Sektor Gesundheit (ÖGD, Ärzt:innen, Kliniken, Hebammen) ist nur über eine "
        "einzige Organisation angebunden (Gesundheitsamt)." in result.findings
    )
    assert any("Jugendamt ist eine Schlüsselstelle" in f for f in result.findings)

    later = analytics.analyse_network(m, analytics.NetworkFilter(day=dt.date(2026, 8, 1)))
    assert later.measures.edges == 3 and later.measures.isolates == []

    agreements = analytics.analyse_network(
        m, analytics.NetworkFilter(day=DAY, kinds=[CooperationKind.AGREEMENT])
    )
    assert agreements.measures.edges == 1

    health_only = analytics.analyse_network(
        m, analytics.NetworkFilter(day=dt.date(2026, 8, 1), sector_ids=[sectors["gesundheit"].pk])
    )
    assert set(health_only.organizations) == {orgs["Gesundheitsamt"].pk, orgs["Hebammenpraxis"].pk}
    assert health_only.measures.edges == 1


def test_the_network_is_its_actors_not_every_provider_of_the_directory(world):
    """A provider that the network knows nothing of (no actor profile, tie or
    seat) is not a node; one whose only link is a person in a body, or a tie that
    has ended, is: its isolation is a finding."""
    m = world.a
    sectors = {s.code: s for s in services.sectors_ensure_defaults(m)}

    def org(name):
        return directory_services.organization_create(actor=None, municipality=m, name=name)

    youth, school = org("Jugendamt"), org("Grundschule")
    services.organization_set_sector(actor=None, organization=youth, sector=sectors["jugendhilfe"])
    services.cooperation_create(
        actor=None, organization_a=youth, organization_b=school, kind=CooperationKind.INFORMAL
    )
    for n in range(20):  # the directory's other providers
        org(f"Kita {n}")
    seated = org("Familienzentrum")
    person = services.person_create(
        actor=None, municipality=m, name="Erika Beispiel", organization=seated
    )
    body = services.body_create(
        actor=None, municipality=m, name="Lenkungskreis", kind=BodyKind.STEERING_GROUP
    )
    services.body_membership_add(actor=None, body=body, person=person)
    former = org("Ehemaliger Partner")
    services.cooperation_create(
        actor=None,
        organization_a=youth,
        organization_b=former,
        kind=CooperationKind.REFERRAL,
        valid_from=dt.date(2019, 1, 1),
        valid_until=dt.date(2020, 1, 1),
    )

    result = analytics.analyse_network(m, analytics.NetworkFilter(day=DAY))

    assert set(result.organizations) == {youth.pk, school.pk, seated.pk, former.pk}
    assert (result.measures.nodes, result.measures.edges) == (4, 1)
    assert result.measures.density == pytest.approx(1 / 6)
    assert result.measures.isolates == sorted([seated.pk, former.pk])


def test_intersectorality_is_unknown_without_any_member_of_a_known_sector(world):
    m = world.a
    services.sectors_ensure_defaults(m)
    body = services.body_create(actor=None, municipality=m, name="AG", kind=BodyKind.WORKING_GROUP)
    empty = analytics.steering_quality(m, DAY)[body.pk]
    assert (empty.members, empty.intersectorality, empty.high_rank) == (0, None, None)
    unknown = directory_services.organization_create(actor=None, municipality=m, name="Verein")
    services.body_membership_add(actor=None, body=body, organization=unknown)
    quality = analytics.steering_quality(m, DAY)[body.pk]
    assert (quality.members, quality.members_with_sector, quality.intersectorality) == (1, 0, None)
