import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from kette.core.models import Role
from kette.learning import selectors, services
from kette.learning.models import Attendance, ContributionStatus, Visibility
from kette.learning.tests.factories import (
    ContributionFactory,
    MeetingFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from kette.testing import factories

pytestmark = pytest.mark.django_db


def test_visible_meetings_follow_the_visibility(world):
    public = MeetingFactory(programme=world.programme, visibility=Visibility.PUBLIC)
    network = MeetingFactory(programme=world.programme, visibility=Visibility.NETWORK)
    private = MeetingFactory(programme=world.programme, visibility=Visibility.PRIVATE)
    office = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    viewer = factories.user_with_role(Role.VIEWER, world.b, username="v")
    assert set(selectors.visible_meetings(world.programme, AnonymousUser())) == {public}
    assert set(selectors.visible_meetings(world.programme, viewer)) == {public, network}
    assert set(selectors.visible_meetings(world.programme, office)) == {public, network, private}


def test_accepted_talks_appear_in_their_working_group_in_order(world):
    group = WorkingGroupFactory(meeting__programme=world.programme)
    later = ContributionFactory(working_group=group, municipality=world.a, title="Zweites")
    first = ContributionFactory(working_group=group, municipality=world.b, title="Erstes")
    ContributionFactory(working_group=group, municipality=world.a, title="Nur eingereicht")
    declined = ContributionFactory(working_group=group, municipality=world.a)
    services.contribution_accept(actor=None, contribution=first)
    services.contribution_accept(actor=None, contribution=later)
    services.contribution_decline(actor=None, contribution=declined)
    (shown,) = selectors.working_groups_with_talks(group.meeting)
    assert [talk.title for talk in shown.accepted_talks] == ["Erstes", "Zweites"]
    assert all(t.status == ContributionStatus.ACCEPTED for t in shown.accepted_talks)


def test_a_municipality_sees_only_its_own_submissions(world):
    group = WorkingGroupFactory(meeting__programme=world.programme)
    own = ContributionFactory(working_group=group, municipality=world.a)
    ContributionFactory(working_group=group, municipality=world.b)
    assert list(selectors.contributions_of_municipality(group.meeting, world.a)) == [own]


def test_registration_summary_counts_places(world):
    meeting = MeetingFactory(programme=world.programme, capacity=3)
    for n in range(4):
        services.registration_create(
            actor=None, meeting=meeting, person_name=f"P{n}", email=f"p{n}@example.org"
        )
    summary = selectors.registration_summary(meeting)
    assert (summary.registered, summary.waitlisted, summary.free) == (3, 1, 0)


def test_participation_statistics(world):
    c = factories.MunicipalityFactory(programme=world.programme, name="Cdorf", cohort=2017)
    world.a.cohort = 2012
    world.a.save()
    old = MeetingFactory(programme=world.programme, number=11, starts_on=dt.date(2015, 3, 3))
    new = MeetingFactory(programme=world.programme, number=17, starts_on=dt.date(2017, 9, 13))
    future = MeetingFactory(programme=world.programme, number=30)
    RegistrationFactory(meeting=old, municipality=world.a, attendance=Attendance.ATTENDED)
    RegistrationFactory(meeting=new, municipality=world.a, attendance=Attendance.ATTENDED)
    RegistrationFactory(meeting=new, municipality=world.a, attendance=Attendance.WALK_IN)
    RegistrationFactory(meeting=new, municipality=c, attendance=Attendance.WALK_IN)
    RegistrationFactory(meeting=new, municipality=world.b, attendance=Attendance.EXCUSED)
    RegistrationFactory(meeting=future, municipality=world.b)
    RegistrationFactory(meeting=old, municipality=world.b, attendance=Attendance.ATTENDED)

    stats = selectors.participation_statistics(world.programme, today=dt.date(2020, 1, 1))
    assert stats.meetings == [old, new]
    rows = {row.municipality.name: row for row in stats.rows}
    assert rows["Altstadt"].attended == {old.pk, new.pk}
    assert rows["Altstadt"].rate == 1.0
    # Bergdorf (cohort 2017) visited meeting no. 11 in 2015 as a guest: it is
    # attended, but not counted in its rate; it was excused at no. 17.
    assert rows["Bergdorf"].attended_count == 1
    assert (rows["Bergdorf"].eligible, rows["Bergdorf"].rate) == (1, 0.0)
    # Cdorf joined in 2017: only meeting no. 17 counts for its rate.
    assert (rows["Cdorf"].eligible, rows["Cdorf"].rate) == (1, 1.0)
    assert stats.reached == {old.pk: 2, new.pk: 2}
    assert selectors.municipalities_reached(new) == 2


def test_programme_history_lists_changes_to_meetings_and_agenda(world):
    office = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    meeting = services.meeting_create(
        actor=office,
        programme=world.programme,
        title="T",
        starts_on=dt.date(2030, 1, 1),
        ends_on=dt.date(2030, 1, 1),
    )
    services.working_group_create(actor=office, meeting=meeting, title="AG")
    records = selectors.programme_history(world.programme)
    assert [r.history_user for r in records] == [office, office]
    assert {type(r.instance).__name__ for r in records} == {"Meeting", "WorkingGroup"}


def test_the_office_list_shows_the_registered_then_the_waitlist_in_its_order(world):
    meeting = MeetingFactory(programme=world.programme, capacity=1)

    def register(name, municipality):
        return services.registration_create(
            actor=None,
            meeting=meeting,
            person_name=name,
            email=f"{name.lower()}@example.org",
            municipality=municipality,
        )

    gone = register("Anna", world.a)  # the only place
    register("Berta", world.b)  # waitlist: first
    register("Zora", world.b)  # second
    register("Anton", world.a)  # third, though Altstadt sorts before Bergdorf
    services.registration_cancel(actor=None, registration=gone)  # Berta moves up
    names = [r.person_name for r in selectors.registrations_of(meeting)]
    assert names == ["Berta", "Zora", "Anton", "Anna"]


def test_lists_by_name_sort_umlauts_the_german_way(client, world):
    """Byte order put Ö, Ü and Ä after Z; German readers look for them among the
    O, U and A (as the directory sorts: ae, oe, ue, ss)."""
    office = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    meeting = MeetingFactory(programme=world.programme, number=17)
    uebach = factories.MunicipalityFactory(programme=world.programme, name="Übach-Palenberg")
    zuelpich = factories.MunicipalityFactory(programme=world.programme, name="Zülpich")
    for name, municipality in (
        ("Zander", zuelpich),
        ("Özdemir", uebach),
        ("Ärztin Ahrens", uebach),
        ("Ulrich", uebach),
        ("Adler", uebach),
    ):
        RegistrationFactory(
            meeting=meeting,
            person_name=name,
            municipality=municipality,
            attendance=Attendance.ATTENDED,
        )
    expected = ["Adler", "Ärztin Ahrens", "Özdemir", "Ulrich", "Zander"]
    assert [r.person_name for r in selectors.registrations_of(meeting)] == expected
    assert [b.name for b in selectors.badges_of(meeting)] == expected
    assert [g.label for g in selectors.attendance_list(meeting)] == ["Übach-Palenberg", "Zülpich"]
    assert selectors.attendance_list(meeting)[0].names == expected[:4]
    assert [r.person_name for r in selectors.registrations_at_the_door(meeting)] == expected
    rows = selectors.participation_statistics(world.programme).rows
    assert [row.municipality.name for row in rows] == [
        "Altstadt",
        "Bergdorf",
        "Übach-Palenberg",
        "Zülpich",
    ]
    client.force_login(office)
    page = client.get("/lernnetzwerk/17/einlass/").content.decode()
    assert page.index("Özdemir") < page.index("Ulrich") < page.index("Zander")
