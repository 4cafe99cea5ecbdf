"""The coordination office compares steering groups and networks across municipalities."""

import pytest
from django.urls import reverse

from kette.core.models import Role
from kette.directory.tests.factories import OrganizationFactory
from kette.network import services
from kette.network.models import BodyKind
from kette.testing import factories

pytestmark = pytest.mark.django_db
URL = "/programm/netzwerke/"
API = "/api/programm/netzwerke"


@pytest.fixture
def two_towns(world, structure):
    """A has the conftest structure; B a one-sector steering group and two lone actors."""
    sectors = {s.code: s for s in services.sectors_ensure_defaults(world.b)}
    one = OrganizationFactory(municipality=world.b, name="Jugendamt Bergdorf")
    two = OrganizationFactory(municipality=world.b, name="Jugendhilfe Bergdorf e. V.")
    for org in (one, two):
        services.organization_set_sector(
            actor=None, organization=org, sector=sectors["jugendhilfe"]
        )
    group = services.body_create(
        actor=None, municipality=world.b, name="Steuerungsgruppe B", kind=BodyKind.STEERING_GROUP
    )
    services.body_membership_add(actor=None, body=group, organization=one, level="leadership")
    services.body_membership_add(actor=None, body=group, organization=two, level="operational")
    return structure


def test_the_office_sees_every_town_with_a_steering_group(client, world, two_towns):
    client.force_login(factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks"))
    response = client.get(URL, {"stichtag": "2026-06-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Steuerung und Netzwerke im Vergleich" in html
    rows = response.context["rows"]
    assert [r.municipality.name for r in rows] == ["Altstadt", "Bergdorf"]
    altstadt, bergdorf = rows
    assert (altstadt.members, altstadt.organizations, altstadt.components) == (2, 3, 1)
    assert altstadt.articulation_points == 1 and altstadt.brokers == 1
    assert altstadt.density == pytest.approx(2 / 3)
    assert "Schule/Bildung" in altstadt.core_missing
    assert (bergdorf.intersectorality, bergdorf.high_rank) == (0.0, 0.5)
    assert (bergdorf.isolates, bergdorf.components) == (2, 2)
    assert "Erika Beispiel" not in html  # people never appear
    assert reverse("network:structure", args=[world.a.slug]) in html


def test_the_table_sorts_by_any_column(client, world, two_towns):
    client.force_login(factories.user_with_role(Role.PROGRAMME_ADMIN, None, username="admin"))
    by = {}
    for order in ("-intersektoralitaet", "isoliert", "-kommune", "unsinn"):
        response = client.get(URL, {"sortierung": order})
        by[order] = [r.municipality.name for r in response.context["rows"]]
    assert by["-intersektoralitaet"] == ["Altstadt", "Bergdorf"]
    assert by["isoliert"] == ["Altstadt", "Bergdorf"]
    assert by["-kommune"] == ["Bergdorf", "Altstadt"]
    assert by["unsinn"] == ["Altstadt", "Bergdorf"]
    html = client.get(URL, {"sortierung": "-dichte"}).content.decode()
    assert 'aria-sort="descending"' in html and "sortierung=dichte" in html


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.EDITOR, Role.PROVIDER, Role.VIEWER])
def test_municipality_roles_cannot_compare(client, world, two_towns, role):
    client.force_login(factories.user_with_role(role, world.a, username="kommune"))
    assert client.get(URL).status_code == 403
    assert client.get(API).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, world, two_towns):
    assert client.get(URL).status_code == 302
    assert client.get(API).status_code == 403


def test_the_comparison_through_the_api(client, world, two_towns):
    client.force_login(factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks"))
    data = client.get(API, {"stichtag": "2026-06-01"}).json()
    assert [d["slug"] for d in data] == [world.a.slug, world.b.slug]
    assert data[0]["steering_body"] == "Lenkungskreis" and data[0]["members"] == 2
    assert data[1]["core_sectors_missing"] and data[1]["isolates"] == 2
    assert data[0]["betweenness_sampled"] is False
    schema = client.get("/api/openapi.json").json()
    assert "/api/programm/netzwerke" in schema["paths"]


def test_the_page_needs_a_fixed_number_of_queries_per_town(
    client, world, two_towns, django_assert_max_num_queries
):
    client.force_login(factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks"))
    with django_assert_max_num_queries(40):
        client.get(URL)
