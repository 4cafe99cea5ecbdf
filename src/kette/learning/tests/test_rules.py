"""One test per permission of the learning network."""

import pytest
from django.contrib.auth.models import AnonymousUser

from kette.core.models import Role
from kette.learning.models import Article, MeetingDocument, MeetingPhoto, Visibility
from kette.learning.tests.factories import MeetingFactory
from kette.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return {
        "office": factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks"),
        "coordinator_a": factories.user_with_role(Role.COORDINATOR, world.a, username="k-a"),
        "editor_a": factories.user_with_role(Role.EDITOR, world.a, username="e-a"),
        "viewer_b": factories.user_with_role(Role.VIEWER, world.b, username="v-b"),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def other_programme_member():
    programme = factories.ProgrammeFactory(slug="anderes-programm", name="Anderes Programm")
    elsewhere = factories.MunicipalityFactory(programme=programme)
    return factories.user_with_role(Role.COORDINATOR, elsewhere, username="fremd")


def test_everyone_reads_a_public_meeting(world, people):
    meeting = MeetingFactory(programme=world.programme, visibility=Visibility.PUBLIC)
    assert all(user.has_perm("learning.read_meeting", meeting) for user in people.values())


def test_network_meetings_are_for_members_of_the_programmes_municipalities(
    world, people, other_programme_member
):
    meeting = MeetingFactory(programme=world.programme, visibility=Visibility.NETWORK)
    assert people["viewer_b"].has_perm("learning.read_meeting", meeting)
    assert people["office"].has_perm("learning.read_meeting", meeting)
    assert not people["anonymous"].has_perm("learning.read_meeting", meeting)
    assert not other_programme_member.has_perm("learning.read_meeting", meeting)


def test_private_meetings_are_for_the_coordination_office_only(world, people):
    meeting = MeetingFactory(programme=world.programme, visibility=Visibility.PRIVATE)
    assert people["office"].has_perm("learning.read_meeting", meeting)
    assert not people["coordinator_a"].has_perm("learning.read_meeting", meeting)
    assert not people["anonymous"].has_perm("learning.read_meeting", meeting)


@pytest.mark.parametrize(
    "permission",
    [
        "learning.manage_meeting",
        "learning.review_contributions",
        "learning.check_in",
        "learning.read_registrations",
    ],
)
def test_only_the_coordination_office_runs_a_meeting(world, people, permission):
    meeting = MeetingFactory(programme=world.programme)
    assert people["office"].has_perm(permission, meeting)
    for who in ("coordinator_a", "editor_a", "viewer_b", "anonymous"):
        assert not people[who].has_perm(permission, meeting), who
    assert not people["office"].has_perm(permission, None)


def test_the_office_of_another_programme_does_not_run_the_meeting(world):
    other = factories.ProgrammeFactory(slug="anderes", name="Anderes")
    stranger = factories.UserFactory(username="fremde-lks")
    factories.MembershipFactory(
        user=stranger, programme=other, municipality=None, role=Role.PROGRAMME_STAFF
    )
    meeting = MeetingFactory(programme=world.programme, visibility=Visibility.PRIVATE)
    assert not stranger.has_perm("learning.manage_meeting", meeting)
    assert not stranger.has_perm("learning.read_meeting", meeting)


@pytest.mark.parametrize("permission", ["learning.create_meeting", "learning.read_statistics"])
def test_programme_wide_permissions_belong_to_the_office(world, people, permission):
    assert people["office"].has_perm(permission, world.programme)
    assert not people["coordinator_a"].has_perm(permission, world.programme)
    assert not people["anonymous"].has_perm(permission, world.programme)


def test_a_coordinator_submits_short_talks_for_their_own_municipality_only(world, people):
    assert people["coordinator_a"].has_perm("learning.submit_contribution", world.a)
    assert not people["coordinator_a"].has_perm("learning.submit_contribution", world.b)
    assert not people["editor_a"].has_perm("learning.submit_contribution", world.a)
    assert not people["anonymous"].has_perm("learning.submit_contribution", world.a)
    assert not people["coordinator_a"].has_perm("learning.submit_contribution", None)


def test_coordinators_register_their_own_people_and_the_office_anyone(world, people):
    assert people["coordinator_a"].has_perm("learning.register_participants", world.a)
    assert not people["coordinator_a"].has_perm("learning.register_participants", world.b)
    assert not people["viewer_b"].has_perm("learning.register_participants", world.b)
    assert people["office"].has_perm("learning.register_participants", world.b)
    assert not people["anonymous"].has_perm("learning.register_participants", world.a)


@pytest.mark.parametrize("permission", ["learning.read_document", "learning.read_photo"])
def test_meeting_material_follows_the_meeting_and_its_audience(
    world, people, other_programme_member, permission
):
    model = MeetingDocument if permission.endswith("document") else MeetingPhoto
    meeting = MeetingFactory(programme=world.programme, visibility=Visibility.PUBLIC)
    for_all = model(meeting=meeting, audience="meeting")
    for_network = model(meeting=meeting, audience="network")
    assert all(user.has_perm(permission, for_all) for user in people.values())
    assert other_programme_member.has_perm(permission, for_all)
    assert people["viewer_b"].has_perm(permission, for_network)
    assert people["office"].has_perm(permission, for_network)
    assert not people["anonymous"].has_perm(permission, for_network)
    assert not other_programme_member.has_perm(permission, for_network)
    meeting.visibility = Visibility.PRIVATE
    assert people["office"].has_perm(permission, for_all)
    assert not people["coordinator_a"].has_perm(permission, for_all)
    assert not people["anonymous"].has_perm(permission, None)


def test_published_articles_are_for_everyone_drafts_for_the_office(world, people):
    meeting = MeetingFactory(programme=world.programme, visibility=Visibility.PRIVATE)
    draft = Article(meeting=meeting, status="draft")
    published = Article(meeting=meeting, status="published")
    assert all(user.has_perm("learning.read_article", published) for user in people.values())
    assert people["office"].has_perm("learning.read_article", draft)
    assert not any(
        people[name].has_perm("learning.read_article", draft)
        for name in ("coordinator_a", "editor_a", "viewer_b", "anonymous")
    )


def test_only_the_office_writes_articles(world, people):
    assert people["office"].has_perm("learning.write_articles", world.programme)
    assert not any(
        people[name].has_perm("learning.write_articles", world.programme)
        for name in ("coordinator_a", "editor_a", "viewer_b", "anonymous")
    )
