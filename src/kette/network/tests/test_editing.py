"""Coordinators and editors keep the structure in the browser, one record at a time."""

import datetime as dt

import pytest
from django.urls import reverse

from kette.core.models import Role
from kette.directory.tests.factories import OrganizationFactory
from kette.network import services
from kette.network.models import Body, BodyMembership, Cooperation, Level, Person, Sector
from kette.testing import factories

pytestmark = pytest.mark.django_db


def _login(client, role, municipality, name):
    user = factories.user_with_role(role, municipality, username=name)
    client.force_login(user)
    return user


def _url(name, world, *args):
    return reverse(f"network:{name}", args=[world.a.slug, *args])


def _body_post(**fields):
    data = {"name": "AG Neu", "kind": "working_group", "parent": "", "mandate": ""}
    return {"meeting_rhythm": "", **data, **fields}


def test_editor_creates_edits_and_deletes_a_body(client, world, structure):
    editor = _login(client, Role.EDITOR, world.a, "redaktion")
    html = client.get(_url("structure", world)).content.decode()
    assert "Gremium anlegen" in html and "Gremium und Mitglieder bearbeiten" in html

    response = client.post(
        _url("body_create", world),
        _body_post(parent=structure["steering"].pk, meeting_rhythm="monatlich"),
        follow=True,
    )
    body = Body.objects.get(municipality=world.a, name="AG Neu")
    assert "Das Gremium AG Neu wurde angelegt." in response.content.decode()
    assert body.parent == structure["steering"] and body.meeting_rhythm == "monatlich"
    assert body.history.first().history_user == editor

    response = client.post(
        _url("body_edit", world, body.pk), _body_post(name="AG Umbenannt", kind="forum")
    )
    assert response.status_code == 302
    body.refresh_from_db()
    assert (body.name, body.kind, body.parent) == ("AG Umbenannt", "forum", None)

    confirm = client.get(_url("body_delete", world, body.pk)).content.decode()
    assert "„AG Umbenannt“ löschen?" in confirm
    client.post(_url("body_delete", world, body.pk))
    assert not Body.objects.filter(pk=body.pk).exists()


def test_the_body_form_refuses_a_cycle_and_a_duplicate_name(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    steering, wg = structure["steering"], structure["wg"]
    response = client.post(
        _url("body_edit", world, steering.pk), _body_post(name="Lenkungskreis", parent=wg.pk)
    )
    assert response.status_code == 200
    assert "kann nicht sich selbst untergeordnet sein" in response.content.decode()
    assert Body.objects.get(pk=steering.pk).parent is None
    response = client.post(_url("body_create", world), _body_post(name="AG Frühe Kindheit"))
    assert "Ein Gremium mit diesem Namen gibt es schon." in response.content.decode()


def test_a_body_with_subordinate_bodies_is_not_deleted(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    response = client.post(_url("body_delete", world, structure["steering"].pk))
    assert response.status_code == 409
    html = response.content.decode()
    assert "hat noch untergeordnete Gremien (AG Frühe Kindheit)" in html
    assert Body.objects.filter(pk=structure["steering"].pk).exists()


def test_memberships_are_added_changed_and_removed(client, world, structure):
    _login(client, Role.EDITOR, world.a, "redaktion")
    wg = structure["wg"]
    person = services.person_create(
        actor=None, municipality=world.a, name="Ida Test", level=Level.DEPARTMENT
    )
    url = _url("membership_create", world, wg.pk)
    both = client.post(
        url, {"person": person.pk, "organization": structure["health"].pk, "role": "member"}
    )
    assert "entweder eine Person oder eine Organisation" in both.content.decode()
    neither = client.post(url, {"role": "member"})
    assert "entweder eine Person oder eine Organisation" in neither.content.decode()
    backwards = client.post(
        url,
        {
            "person": person.pk,
            "role": "member",
            "valid_from": "2025-02-01",
            "valid_until": "2025-01-01",
        },
    )
    assert "Das Ende liegt vor dem Beginn." in backwards.content.decode()
    seatless = client.post(url, {"organization": structure["health"].pk, "role": "member"})
    assert "Bitte geben Sie die Ebene" in seatless.content.decode()

    client.post(url, {"person": person.pk, "role": "chair", "valid_from": "2025-01-01"})
    membership = BodyMembership.objects.get(body=wg, person=person)
    assert (membership.role, membership.level) == ("chair", Level.DEPARTMENT)
    # a double click adds nobody twice
    again = client.post(url, {"person": person.pk, "role": "chair", "valid_from": "2025-01-01"})
    assert (
        "Ida Test ist in diesem Zeitraum bereits Mitglied von „AG Frühe Kindheit“ "
        "(seit 01.01.2025)." in again.content.decode()
    )
    assert BodyMembership.objects.filter(body=wg, person=person).count() == 1

    page = client.get(_url("body_edit", world, wg.pk)).content.decode()
    assert "Ida Test" in page and _url("membership_edit", world, membership.pk) in page

    client.post(
        _url("membership_edit", world, membership.pk),
        {"person": person.pk, "role": "member", "level": "leadership", "valid_until": "2026-06-30"},
    )
    membership.refresh_from_db()
    assert (membership.role, membership.level, str(membership.valid_until)) == (
        "member",
        "leadership",
        "2026-06-30",
    )
    response = client.post(_url("membership_delete", world, membership.pk), follow=True)
    assert "Die Mitgliedschaft wurde gelöscht." in response.content.decode()
    assert not BodyMembership.objects.filter(pk=membership.pk).exists()


def test_people_are_added_changed_and_deleted(client, world, structure):
    coordinator = _login(client, Role.COORDINATOR, world.a, "koord")
    assert "Person eintragen" in client.get(_url("people", world)).content.decode()
    data = {
        "name": "Dr. Neu",
        "function": "Schulleitung",
        "organization": structure["school"].pk,
        "level": "leadership",
        "email": "kein-mail",
        "legal_basis": "consent",
    }
    bad = client.post(_url("person_create", world), data)
    assert "gültige E-Mail-Adresse" in bad.content.decode()
    data["email"] = "neu@example.org"
    client.post(_url("person_create", world), data)
    person = Person.objects.get(municipality=world.a, name="Dr. Neu")
    assert person.history.first().history_user == coordinator
    client.post(_url("person_edit", world, person.pk), {**data, "function": "Konrektorat"})
    person.refresh_from_db()
    assert person.function == "Konrektorat"
    client.post(_url("person_delete", world, person.pk))
    assert not Person.objects.filter(pk=person.pk).exists()


def test_cooperations_are_listed_recorded_changed_and_deleted(client, world, structure):
    _login(client, Role.EDITOR, world.a, "redaktion")
    network = client.get(_url("network", world)).content.decode()
    assert _url("cooperations", world) in network
    listing = client.get(_url("cooperations", world)).content.decode()
    assert "schriftliche Vereinbarung" in listing and "Grundschule Nord" in listing

    health, school = structure["health"], structure["school"]
    same = client.post(
        _url("cooperation_create", world),
        {
            "organization_a": health.pk,
            "organization_b": health.pk,
            "kind": "referral",
            "strength": 2,
        },
    )
    assert "verbindet zwei verschiedene Organisationen" in same.content.decode()
    client.post(
        _url("cooperation_create", world),
        {
            "organization_a": health.pk,
            "organization_b": school.pk,
            "kind": "referral",
            "strength": 3,
        },
    )
    tie = Cooperation.objects.get(organization_a=health, organization_b=school)
    assert tie.strength == 3
    client.post(
        _url("cooperation_edit", world, tie.pk),
        {
            "organization_a": health.pk,
            "organization_b": school.pk,
            "kind": "joint_offer",
            "strength": 1,
            "valid_until": "2026-12-31",
        },
    )
    tie.refresh_from_db()
    assert (tie.kind, tie.strength, str(tie.valid_until)) == ("joint_offer", 1, "2026-12-31")
    client.post(_url("cooperation_delete", world, tie.pk))
    assert not Cooperation.objects.filter(pk=tie.pk).exists()


def test_organisations_of_another_municipality_cannot_be_chosen(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    foreign = OrganizationFactory(municipality=world.b, name="Fremdamt")
    response = client.post(
        _url("cooperation_create", world),
        {
            "organization_a": structure["health"].pk,
            "organization_b": foreign.pk,
            "kind": "informal",
            "strength": 2,
        },
    )
    assert response.status_code == 200 and "Fremdamt" not in response.content.decode()
    assert not Cooperation.objects.filter(organization_b=foreign).exists()


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.VIEWER])
def test_providers_and_viewers_cannot_edit(client, world, structure, role):
    _login(client, role, world.a, "ohne-recht")
    membership = BodyMembership.objects.filter(body=structure["steering"]).first()
    person = Person.objects.get(municipality=world.a)
    tie = Cooperation.objects.filter(municipality=world.a).first()
    urls = [
        _url("body_create", world),
        _url("body_edit", world, structure["wg"].pk),
        _url("body_delete", world, structure["wg"].pk),
        _url("membership_create", world, structure["wg"].pk),
        _url("membership_edit", world, membership.pk),
        _url("membership_delete", world, membership.pk),
        _url("person_create", world),
        _url("person_edit", world, person.pk),
        _url("person_delete", world, person.pk),
        _url("cooperations", world),
        _url("cooperation_create", world),
        _url("cooperation_edit", world, tie.pk),
        _url("cooperation_delete", world, tie.pk),
        _url("sector_create", world),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "X"}).status_code == 403, url
    assert Body.objects.filter(pk=structure["wg"].pk).exists()
    html = client.get(_url("structure", world)).content.decode()
    assert "Gremium anlegen" not in html and "bearbeiten" not in html


def test_editors_cannot_add_or_delete_sectors(client, world, structure):
    _login(client, Role.EDITOR, world.a, "redaktion")
    sector = Sector.objects.filter(municipality=world.a).last()
    assert client.get(_url("sector_create", world)).status_code == 403
    assert client.post(_url("sector_delete", world, sector.pk)).status_code == 403


def test_coordinator_adds_and_deletes_sectors(client, world, structure):
    coordinator = _login(client, Role.COORDINATOR, world.a, "koord")
    page = client.get(_url("sectors", world)).content.decode()
    assert "Sektor hinzufügen" in page
    response = client.post(
        _url("sector_create", world),
        {"name": "Kirchen", "is_core": "on", "color": "#4a148c"},
        follow=True,
    )
    assert "Der Sektor Kirchen wurde hinzugefügt." in response.content.decode()
    added = Sector.objects.get(municipality=world.a, name="Kirchen")
    assert added.is_core and added.code == "kirchen" and added.history.first().history_user
    assert Sector.objects.for_municipality(world.a).last() == added  # at the end of the list
    twice = client.post(
        _url("sector_create", world), {"name": "Kirchen", "color": "#4a148c"}
    ).content.decode()
    assert "Einen Sektor mit diesem Namen gibt es schon." in twice
    assert coordinator

    in_use = structure["health"].network_profile.sector
    refused = client.post(_url("sector_delete", world, in_use.pk))
    assert refused.status_code == 409
    assert "ist noch 1 Organisation zugeordnet" in refused.content.decode()
    assert Sector.objects.filter(pk=in_use.pk).exists()

    client.post(_url("sector_delete", world, added.pk))
    assert not Sector.objects.filter(pk=added.pk).exists()


def test_the_editing_lists_use_a_fixed_number_of_queries(client, world, structure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, Role.EDITOR, world.a, "redaktion")
    wg = structure["wg"]

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    pages = [_url("cooperations", world), _url("body_edit", world, wg.pk)]
    before = [count(url) for url in pages]
    for number in range(3):
        org = OrganizationFactory(municipality=world.a, name=f"Verein {number}")
        services.cooperation_create(
            actor=None, organization_a=structure["youth"], organization_b=org, kind="informal"
        )
        services.body_membership_add(actor=None, body=wg, organization=org, level="operational")
    assert [count(url) for url in pages] == before


def test_deleting_a_person_names_their_memberships_and_offers_ending_one(client, world, structure):
    """Before a person is deleted the page says which memberships go with them and
    suggests ending a membership instead, with a link to it."""
    _login(client, Role.COORDINATOR, world.a, "koord")
    head = Person.objects.get(municipality=world.a, name="Erika Beispiel")
    chair = BodyMembership.objects.get(person=head)
    services.body_membership_add(
        actor=None, body=structure["wg"], person=head, valid_from=dt.date(2025, 1, 1)
    )
    page = client.get(_url("person_delete", world, head.pk)).content.decode()
    assert "Mit der Person Erika Beispiel werden auch ihre 2 Mitgliedschaften gelöscht:" in page
    assert "Lenkungskreis (Mitglied, ohne Anfangs- und Enddatum)" in page
    assert "AG Frühe Kindheit (Mitglied, seit 01.01.2025)" in page
    assert _url("membership_edit", world, chair.pk) in page
    assert "besser ein Enddatum ein, statt die Person zu löschen" in page
    nobody = services.person_create(actor=None, municipality=world.a, name="Ohne Gremium")
    page = client.get(_url("person_delete", world, nobody.pk)).content.decode()
    assert "werden auch" not in page and "Enddatum" not in page
