"""The steering-structure, network and people pages as the roles see them."""

import datetime as dt

import pytest
from django.urls import reverse

from kette.core.models import Role
from kette.directory.tests.factories import OrganizationFactory
from kette.network import services
from kette.network.models import BodyKind, CooperationKind, Level
from kette.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(world):
    m = world.a
    sectors = {s.code: s for s in services.sectors_ensure_defaults(m)}
    youth = OrganizationFactory(municipality=m, name="Jugendamt")
    health = OrganizationFactory(municipality=m, name="Gesundheitsamt")
    school = OrganizationFactory(municipality=m, name="Grundschule Nord")
    services.organization_set_sector(actor=None, organization=youth, sector=sectors["jugendhilfe"])
    services.organization_set_sector(actor=None, organization=health, sector=sectors["gesundheit"])
    services.organization_set_sector(actor=None, organization=school, sector=sectors["bildung"])
    steering = services.body_create(
        actor=None, municipality=m, name="Lenkungskreis", kind=BodyKind.STEERING_GROUP
    )
    wg = services.body_create(
        actor=None,
        municipality=m,
        name="AG Frühe Kindheit",
        kind=BodyKind.WORKING_GROUP,
        parent=steering,
    )
    head = services.person_create(
        actor=None,
        municipality=m,
        name="Erika Beispiel",
        function="Amtsleitung Jugendamt",
        organization=youth,
        level=Level.LEADERSHIP,
        email="erika@example.org",
        phone="0221 12345",
    )
    services.body_membership_add(actor=None, body=steering, person=head)
    services.body_membership_add(
        actor=None, body=steering, organization=health, level=Level.LEADERSHIP
    )
    services.body_membership_add(actor=None, body=wg, organization=school)
    services.cooperation_create(
        actor=None, organization_a=youth, organization_b=health, kind=CooperationKind.AGREEMENT
    )
    services.cooperation_create(
        actor=None, organization_a=youth, organization_b=school, kind=CooperationKind.INFORMAL
    )
    return {"steering": steering, "wg": wg, "youth": youth, "health": health, "school": school}


def _login(client, role, municipality, name):
    user = factories.user_with_role(role, municipality, username=name)
    client.force_login(user)
    return user


def test_structure_page_shows_nested_bodies_measures_and_diagram(client, world, structure):
    _login(client, Role.VIEWER, world.a, "lesen")
    response = client.get(reverse("network:structure", args=[world.a.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Steuerungsstruktur in Altstadt" in html
    assert html.index("Lenkungskreis") < html.index("AG Frühe Kindheit")
    assert "Intersektoralität" in html and "Hochrangigkeit" in html and "Fachlichkeit" in html
    # two sectors of 14 with one member each: (1 − 2·¼) / (1 − 1/14) = 0,54
    assert "0,54" in html
    assert "Es fehlen die Kernsektoren" in html and "Schule/Bildung" in html
    assert "100 %" in html  # both steering-group members at leadership level
    assert "<svg" in html and "Kinder- und Jugendhilfe: 1" in html
    assert "Erika Beispiel" in html  # a viewer of the municipality sees names
    assert "erika@example.org" not in html  # contact data only on the people page


def test_providers_and_the_coordination_office_see_functions_not_names(client, world, structure):
    _login(client, Role.PROVIDER, world.a, "traeger")
    html = client.get(reverse("network:structure", args=[world.a.slug])).content.decode()
    assert "Amtsleitung Jugendamt" in html
    assert "Erika Beispiel" not in html
    assert client.get(reverse("network:people", args=[world.a.slug])).status_code == 403
    staff = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    client.force_login(staff)
    html = client.get(reverse("network:structure", args=[world.a.slug])).content.decode()
    assert "Erika Beispiel" not in html
    assert client.get(reverse("network:people", args=[world.a.slug])).status_code == 403


def test_people_page_lists_contact_data_for_municipality_roles(client, world, structure):
    _login(client, Role.EDITOR, world.a, "redaktion")
    html = client.get(reverse("network:people", args=[world.a.slug])).content.decode()
    assert "Erika Beispiel" in html and "erika@example.org" in html and "0221 12345" in html
    assert "öffentliche Aufgabe" in html


def test_network_page_tables_measures_and_filters(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    url = reverse("network:network", args=[world.a.slug])
    html = client.get(url).content.decode()
    assert "Kooperationsnetzwerk in Altstadt" in html
    assert "schriftliche Vereinbarung" in html and "informeller Austausch" in html
    assert "Jugendamt ist eine Schlüsselstelle" in html
    assert "<svg" in html
    response = client.get(url, {"art": "agreement"})
    assert response.context["measures"].edges == 1
    response = client.get(url, {"gremium": structure["steering"].pk})
    assert set(response.context["analysis"].organizations) == {
        structure["youth"].pk,
        structure["health"].pk,
    }
    bildung = structure["school"].network_profile.sector
    response = client.get(url, {"sektor": [bildung.pk]})
    assert response.context["measures"].nodes == 1
    response = client.get(url, {"stichtag": "2000-01-01"})
    assert response.context["day"] == dt.date(2000, 1, 1)


def test_bad_filter_input_gets_a_german_message_not_an_error(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    url = reverse("network:network", args=[world.a.slug])
    response = client.get(url, {"stichtag": "gestern", "art": "gibtsnicht", "gremium": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte prüfen Sie Ihre Eingaben" in html
    assert "Gültiges Datum" in html or "gültiges Datum" in html
    response = client.get(reverse("network:structure", args=[world.a.slug]), {"stichtag": "31.02."})
    assert response.status_code == 200


def test_the_drawing_is_deterministic(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    url = reverse("network:network", args=[world.a.slug])
    first = client.get(url, {"stichtag": "2026-06-01"}).content
    second = client.get(url, {"stichtag": "2026-06-01"}).content
    assert first.split(b"<svg class")[1] == second.split(b"<svg class")[1]


def test_outsiders_are_refused(client, world, structure):
    _login(client, Role.COORDINATOR, world.b, "koord-b")
    for name in ("structure", "network", "people"):
        assert client.get(reverse(f"network:{name}", args=[world.a.slug])).status_code == 403
    client.logout()
    response = client.get(reverse("network:structure", args=[world.a.slug]))
    assert response.status_code == 302 and "/konto/" in response["Location"]
