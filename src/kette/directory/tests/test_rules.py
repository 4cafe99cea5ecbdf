"""One test per permission of the offer directory."""

import pytest
from django.contrib.auth.models import AnonymousUser

from kette.core.models import Role
from kette.directory import services
from kette.directory.models import ServiceStatus
from kette.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    a = world.a
    people = {
        role: factories.user_with_role(role, a, username=f"{role}-a")
        for role in (
            Role.COORDINATOR,
            Role.EDITOR,
            Role.PROVIDER,
            Role.VIEWER,
        )
    }
    people["other_provider"] = factories.user_with_role(Role.PROVIDER, a, username="provider-2")
    people["coordinator_b"] = factories.user_with_role(Role.COORDINATOR, world.b, username="kb")
    people["staff"] = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    people["admin"] = factories.user_with_role(Role.PROGRAMME_ADMIN, None, username="admin")
    people["anonymous"] = AnonymousUser()
    return people


@pytest.fixture
def offers(world, people):
    own = services.organization_create(actor=None, municipality=world.a, name="Eigener Träger")
    other = services.organization_create(actor=None, municipality=world.a, name="Anderer Träger")
    services.provider_access_grant(actor=None, user=people[Role.PROVIDER], organization=own)
    services.provider_access_grant(actor=None, user=people["other_provider"], organization=other)
    return {
        "own_draft": services.service_create(actor=None, organization=own, name="Eigener Entwurf"),
        "other_draft": services.service_create(
            actor=None, organization=other, name="Fremder Entwurf"
        ),
        "other_published": services.service_create(
            actor=None, organization=other, name="Fremd", status=ServiceStatus.PUBLISHED
        ),
        "own_org": own,
        "other_org": other,
    }


def allowed(people, perm, obj):
    return {name for name, user in people.items() if user.has_perm(perm, obj)}


def test_list_offers_is_for_members_and_the_coordination_office(world, people):
    assert allowed(people, "directory.list_offers", world.a) == {
        Role.COORDINATOR,
        Role.EDITOR,
        Role.PROVIDER,
        Role.VIEWER,
        "other_provider",
        "staff",
        "admin",
    }


def test_create_offer_is_for_coordinators_editors_and_providers(world, people):
    assert allowed(people, "directory.create_offer", world.a) == {
        Role.COORDINATOR,
        Role.EDITOR,
        Role.PROVIDER,
        "other_provider",
        "admin",
    }


def test_manage_organizations_is_for_coordinators_and_editors(world, people):
    assert allowed(people, "directory.manage_organizations", world.a) == {
        Role.COORDINATOR,
        Role.EDITOR,
        "admin",
    }


def test_manage_vocabulary_is_for_the_coordinator(world, people):
    assert allowed(people, "directory.manage_vocabulary", world.a) == {Role.COORDINATOR, "admin"}


def test_read_offer_hides_drafts_from_other_providers_and_the_public(people, offers):
    internal = {Role.COORDINATOR, Role.EDITOR, Role.VIEWER, "staff", "admin"}
    assert allowed(people, "directory.read_offer", offers["own_draft"]) == internal | {
        Role.PROVIDER
    }
    assert allowed(people, "directory.read_offer", offers["other_draft"]) == internal | {
        "other_provider"
    }
    assert allowed(people, "directory.read_offer", offers["other_published"]) == set(people)


def test_edit_offer_is_for_the_municipalitys_editors_and_the_own_provider(people, offers):
    assert allowed(people, "directory.edit_offer", offers["own_draft"]) == {
        Role.COORDINATOR,
        Role.EDITOR,
        Role.PROVIDER,
        "admin",
    }
    assert Role.PROVIDER not in allowed(people, "directory.edit_offer", offers["other_published"])


def test_publish_offer_follows_edit_rights(people, offers):
    assert allowed(people, "directory.publish_offer", offers["other_draft"]) == {
        Role.COORDINATOR,
        Role.EDITOR,
        "other_provider",
        "admin",
    }


def test_confirm_offer_follows_edit_rights(people, offers):
    assert allowed(people, "directory.confirm_offer", offers["own_draft"]) == {
        Role.COORDINATOR,
        Role.EDITOR,
        Role.PROVIDER,
        "admin",
    }


def test_edit_organization_is_for_editors_and_its_own_provider(people, offers):
    assert allowed(people, "directory.edit_organization", offers["own_org"]) == {
        Role.COORDINATOR,
        Role.EDITOR,
        Role.PROVIDER,
        "admin",
    }


def test_permissions_are_false_for_none(people):
    perms = ["directory.list_offers", "directory.read_offer", "directory.edit_offer"]
    perms += ["directory.publish_offer", "directory.edit_organization"]
    for who in (Role.COORDINATOR, "staff", "admin"):
        for perm in perms:
            assert not people[who].has_perm(perm, None), (who, perm)
