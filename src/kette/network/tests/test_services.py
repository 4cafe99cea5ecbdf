import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from kette.directory.tests.factories import OrganizationFactory
from kette.network import defaults, services
from kette.network.models import Body, BodyKind, Cooperation, CooperationKind, Level, Sector
from kette.network.tests.factories import BodyFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _contrast_with_white(color: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_default_sector_colours_carry_white_text():
    for sector in defaults.SECTORS:
        assert _contrast_with_white(sector.color) >= 4.5, sector.name


def test_default_sectors_are_created_once_and_keep_local_changes(world, coordinator):
    created = services.sectors_ensure_defaults(world.a, actor=coordinator)
    assert len(created) == 14
    assert {s.code for s in created if s.is_core} == {
        "jugendhilfe",
        "gesundheit",
        "bildung",
        "soziales",
        "integration",
    }
    kita = Sector.objects.get(municipality=world.a, code="kita")
    services.sector_update(actor=coordinator, sector=kita, is_core=True, name="Kita")
    services.sectors_ensure_defaults(world.a)
    assert Sector.objects.for_municipality(world.a).count() == 14
    assert Sector.objects.get(pk=kita.pk).name == "Kita"
    assert Sector.objects.get(pk=kita.pk).is_core
    assert Sector.objects.for_municipality(world.b).count() == 0
    assert kita.history.first().history_user == coordinator


def test_organization_sector_must_be_the_municipalitys(world):
    org = OrganizationFactory(municipality=world.a)
    other = services.sectors_ensure_defaults(world.b)[0]
    with pytest.raises(ValidationError):
        services.organization_set_sector(actor=None, organization=org, sector=other)
    own = services.sectors_ensure_defaults(world.a)[0]
    profile = services.organization_set_sector(actor=None, organization=org, sector=own)
    again = services.organization_set_sector(actor=None, organization=org, sector=None)
    assert profile.pk == again.pk and again.sector is None


def test_cooperation_needs_two_organisations_of_one_municipality(world, coordinator):
    a1, a2 = OrganizationFactory(municipality=world.a), OrganizationFactory(municipality=world.a)
    b1 = OrganizationFactory(municipality=world.b)
    with pytest.raises(ValidationError, match="selben Kommune"):
        services.cooperation_create(
            actor=coordinator, organization_a=a1, organization_b=b1, kind=CooperationKind.INFORMAL
        )
    with pytest.raises(ValidationError):
        services.cooperation_create(
            actor=coordinator, organization_a=a1, organization_b=a1, kind=CooperationKind.INFORMAL
        )
    with pytest.raises(ValidationError):
        services.cooperation_create(
            actor=coordinator, organization_a=a1, organization_b=a2, kind="agreement", strength=4
        )
    tie = services.cooperation_create(
        actor=coordinator,
        organization_a=a1,
        organization_b=a2,
        kind=CooperationKind.AGREEMENT,
        strength=3,
        valid_from=dt.date(2024, 1, 1),
    )
    assert tie.municipality == world.a
    assert tie.history.first().history_user == coordinator
    assert list(Cooperation.objects.active_on(dt.date(2023, 12, 31))) == []
    services.cooperation_end(actor=coordinator, cooperation=tie, on=dt.date(2025, 1, 1))
    assert list(Cooperation.objects.active_on(dt.date(2025, 1, 1))) == [tie]
    assert list(Cooperation.objects.active_on(dt.date(2025, 1, 2))) == []


def test_the_database_refuses_a_self_tie(world):
    org = OrganizationFactory(municipality=world.a)
    with pytest.raises(IntegrityError):
        Cooperation.objects.create(
            municipality=world.a, organization_a=org, organization_b=org, kind="informal"
        )


def test_bodies_form_a_tree(world):
    root = services.body_create(
        actor=None, municipality=world.a, name="Lenkungskreis", kind=BodyKind.STEERING_GROUP
    )
    child = services.body_create(
        actor=None, municipality=world.a, name="AG Kita", kind=BodyKind.WORKING_GROUP, parent=root
    )
    with pytest.raises(ValidationError, match="sich selbst"):
        services.body_update(actor=None, body=root, parent=child)
    foreign = BodyFactory(municipality=world.b)
    with pytest.raises(ValidationError):
        services.body_create(
            actor=None, municipality=world.a, name="X", kind=BodyKind.FORUM, parent=foreign
        )
    assert Body.objects.get(pk=root.pk).parent is None


def test_membership_is_a_person_or_an_organisation_of_the_same_municipality(world):
    body = BodyFactory(municipality=world.a)
    person = PersonFactory(municipality=world.a, level=Level.LEADERSHIP)
    membership = services.body_membership_add(actor=None, body=body, person=person)
    assert membership.level == Level.LEADERSHIP  # from the person
    org = OrganizationFactory(municipality=world.a)
    with pytest.raises(ValidationError):
        services.body_membership_add(actor=None, body=body, person=person, organization=org)
    with pytest.raises(ValidationError):
        services.body_membership_add(actor=None, body=body)
    with pytest.raises(ValidationError):
        services.body_membership_add(
            actor=None, body=body, person=PersonFactory(municipality=world.b)
        )
    with pytest.raises(ValidationError, match="Beginn"):
        services.body_membership_add(
            actor=None,
            body=body,
            organization=org,
            valid_from=dt.date(2025, 1, 1),
            valid_until=dt.date(2024, 1, 1),
        )


def test_deleting_a_person_removes_their_memberships(world, coordinator):
    body = BodyFactory(municipality=world.a)
    person = services.person_create(
        actor=coordinator, municipality=world.a, name="Frau Beispiel", email="b@example.org"
    )
    services.body_membership_add(actor=coordinator, body=body, person=person)
    services.person_delete(actor=coordinator, person=person)
    assert body.memberships.count() == 0


def test_a_member_is_not_added_twice_to_a_body_in_the_same_period(world):
    """A double click on "add" must not count the same person twice in the
    steering-quality figures; a new membership after the old one ended is fine."""
    body = BodyFactory(municipality=world.a, name="Lenkungskreis")
    person = PersonFactory(municipality=world.a, name="Erika Beispiel")
    services.body_membership_add(actor=None, body=body, person=person)
    with pytest.raises(ValidationError) as twice:
        services.body_membership_add(actor=None, body=body, person=person)
    assert twice.value.message_dict == {
        "person": [
            "Erika Beispiel ist in diesem Zeitraum bereits Mitglied von „Lenkungskreis“ "
            "(ohne Anfangs- und Enddatum)."
        ]
    }

    org = OrganizationFactory(municipality=world.a, name="Jobcenter")
    services.body_membership_add(
        actor=None,
        body=body,
        organization=org,
        level=Level.DEPARTMENT,
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2024, 12, 31),
    )
    with pytest.raises(ValidationError, match=r"vom 01\.01\.2024 bis 31\.12\.2024"):
        services.body_membership_add(
            actor=None, body=body, organization=org, valid_until=dt.date(2024, 1, 1)
        )
    later = services.body_membership_add(
        actor=None, body=body, organization=org, valid_from=dt.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError, match=r"Jobcenter .* \(vom 01\.01\.2024"):
        services.body_membership_update(
            actor=None, membership=later, valid_from=dt.date(2024, 6, 1)
        )
    assert body.memberships.filter(organization=org).count() == 2
    # another body is another matter
    services.body_membership_add(actor=None, body=BodyFactory(municipality=world.a), person=person)
