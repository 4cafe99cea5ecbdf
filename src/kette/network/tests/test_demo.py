import datetime as dt

import pytest

from kette.directory.models import Organization
from kette.network import analytics
from kette.network.demo import load_network_demo
from kette.network.models import Body, BodyKind, BodyMembership, Cooperation, Person, Sector
from kette.testing.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_the_koeln_demo_is_plausible_and_idempotent():
    koeln = MunicipalityFactory(name="Köln", slug="koeln", official_key="05315000")
    reports: list[str] = []
    load_network_demo(reports.append)
    load_network_demo(reports.append)
    assert reports[:3] == reports[3:]
    assert "7 Gremien" in reports[0]
    ties = Cooperation.objects.for_municipality(koeln).count()
    assert 28 <= ties <= 35
    steering = Body.objects.get(municipality=koeln, kind=BodyKind.STEERING_GROUP)
    assert steering.children.get().kind == BodyKind.COORDINATION_OFFICE
    assert Person.objects.for_municipality(koeln).count() == 12
    assert all(p.email.endswith("@example.org") for p in Person.objects.all())
    assert Organization.objects.filter(name__startswith="Stadt Köln – ").count() == 6

    quality = analytics.steering_quality(koeln, dt.date(2026, 6, 1))[steering.pk]
    assert quality.core_missing == []  # all five core sectors sit in the Lenkungskreis
    assert quality.high_rank == pytest.approx(6 / 8)
    network = analytics.analyse_network(koeln, analytics.NetworkFilter(day=dt.date(2026, 6, 1)))
    assert network.measures.edges == ties
    assert network.measures.articulation_points  # a plausible network has brokers


def test_the_demo_skips_missing_municipalities(db):
    reports: list[str] = []
    load_network_demo(reports.append)
    assert reports == [
        "Netzwerk: Köln fehlt, übersprungen",
        "Netzwerk: Ahlen fehlt, übersprungen",
        "Netzwerk: Dinslaken fehlt, übersprungen",
    ]


def _history_rows() -> int:
    return sum(
        model.history.count() for model in (Body, BodyMembership, Cooperation, Person, Sector)
    )


def test_ahlen_has_its_published_structure_and_dinslaken_a_smaller_one():
    ahlen = MunicipalityFactory(name="Ahlen", slug="ahlen", official_key="05570004")
    dinslaken = MunicipalityFactory(name="Dinslaken", slug="dinslaken", official_key="05170008")
    reports: list[str] = []
    load_network_demo(reports.append)
    history = _history_rows()
    load_network_demo(reports.append)
    assert reports[:3] == reports[3:]  # a rerun creates nothing …
    assert _history_rows() == history  # … and records no change

    steering = Body.objects.get(municipality=ahlen, kind=BodyKind.STEERING_GROUP)
    assert steering.name == "Steuerungsgruppe"
    assert [b.name for b in steering.children.order_by("position")] == [
        "Frühe Hilfen – Schwangerschaft bis Kleinkindalter",
        "Kita- und Grundschulalter",
        "Späte Kindheit – weiterführende Schulen",
        "Übergang Schule-Beruf",
    ]
    assert all(b.kind == BodyKind.WORKING_GROUP for b in steering.children.all())
    people = Person.objects.for_municipality(ahlen)
    assert people.count() == 11
    assert all(p.legal_basis_note.startswith("Beispieldaten") for p in people)
    assert all(p.email.startswith("ahlen-") for p in people)
    day = dt.date(2026, 6, 1)
    quality = analytics.steering_quality(ahlen, day)[steering.pk]
    assert quality.core_missing == []
    assert quality.members == 9 and quality.high_rank == pytest.approx(6 / 9)
    network = analytics.analyse_network(ahlen, analytics.NetworkFilter(day=day))
    assert len(network.measures.components) == 1 and network.measures.articulation_points

    small = Body.objects.for_municipality(dinslaken)
    assert small.count() == 3
    lenkung = small.get(kind=BodyKind.STEERING_GROUP)
    missing = analytics.steering_quality(dinslaken, day)[lenkung.pk].core_missing
    assert {s.name for s in missing} == {"Soziales", "Integration"}
    assert Cooperation.objects.for_municipality(dinslaken).count() == 12
    # the towns' organisations stay apart even where names repeat
    assert Organization.objects.filter(name="Hebammenpraxis (Beispiel)").count() == 2
