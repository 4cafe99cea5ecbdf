import datetime as dt

import pytest

from kette.directory.models import Organization
from kette.network import analytics
from kette.network.demo import load_network_demo
from kette.network.models import Body, BodyKind, Cooperation, Person
from kette.testing.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_the_koeln_demo_is_plausible_and_idempotent():
    koeln = MunicipalityFactory(name="Köln", slug="koeln", official_key="05315000")
    reports: list[str] = []
    load_network_demo(reports.append)
    load_network_demo(reports.append)
    assert reports[0] == reports[1]
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


def test_the_demo_skips_without_koeln(db):
    reports: list[str] = []
    load_network_demo(reports.append)
    assert reports == ["Netzwerk: Köln fehlt, übersprungen"]
