"""Pages whose lists grow keep a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kette.core.models import Role
from kette.learning.models import Attendance, ContributionStatus
from kette.learning.tests.factories import (
    AgendaItemFactory,
    ContributionFactory,
    MeetingFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from kette.testing import factories

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow_meeting(meeting, municipality, n: int) -> None:
    for i in range(n):
        AgendaItemFactory(
            meeting=meeting,
            start_time=dt.time(9 + i),
            end_time=None,
            speaker_name="Erika Beispiel",
            speaker_municipality=municipality,
        )
        group = WorkingGroupFactory(meeting=meeting)
        ContributionFactory(
            working_group=group, municipality=municipality, status=ContributionStatus.ACCEPTED
        )
        RegistrationFactory(meeting=meeting, municipality=municipality)


def test_meeting_page_queries_do_not_grow_with_the_agenda(client, world):
    meeting = MeetingFactory(programme=world.programme, number=17)
    _grow_meeting(meeting, world.a, 1)
    urls = ["/lernnetzwerk/17/", "/lernnetzwerk/17/termin.ics", "/lernnetzwerk/lernnetzwerk.ics"]
    before = {url: _count(client, url) for url in urls}
    _grow_meeting(meeting, world.b, 6)
    other = MeetingFactory(programme=world.programme, number=18)
    _grow_meeting(other, world.b, 3)
    assert {url: _count(client, url) for url in urls} == before


def test_staff_lists_and_statistics_do_not_grow_with_the_rows(client, world):
    office = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    client.force_login(office)
    meeting = MeetingFactory(programme=world.programme, number=17, starts_on=dt.date(2017, 9, 13))
    _grow_meeting(meeting, world.a, 1)
    urls = [
        "/lernnetzwerk/17/anmeldungen/",
        "/lernnetzwerk/17/einlass/",
        "/lernnetzwerk/17/kurzreferate/",
        "/lernnetzwerk/17/protokoll/",
        "/lernnetzwerk/statistik/",
    ]
    before = {url: _count(client, url) for url in urls}
    _grow_meeting(meeting, world.b, 6)
    for i in range(5):
        other = factories.MunicipalityFactory(programme=world.programme)
        RegistrationFactory(meeting=meeting, municipality=other, attendance=Attendance.ATTENDED)
        MeetingFactory(programme=world.programme, starts_on=dt.date(2016, 1, 1 + i))
    after = {url: _count(client, url) for url in urls}
    assert after == before
