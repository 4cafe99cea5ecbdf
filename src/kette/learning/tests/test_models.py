import datetime as dt

import pytest
from django.db import IntegrityError

from kette.learning.models import Meeting
from kette.learning.tests.factories import MeetingFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_meeting_numbers_are_unique_within_a_programme_only(programme):
    MeetingFactory(programme=programme, number=17)
    with pytest.raises(IntegrityError):
        MeetingFactory(programme=programme, number=17)


def test_the_same_number_may_exist_in_another_programme(programme_factory):
    MeetingFactory(programme=programme_factory(slug="eins"), number=17)
    MeetingFactory(programme=programme_factory(slug="zwei"), number=17)
    assert Meeting.objects.filter(number=17).count() == 2


def test_a_meeting_cannot_end_before_it_begins(programme):
    with pytest.raises(IntegrityError):
        MeetingFactory(
            programme=programme, starts_on=dt.date(2017, 9, 13), ends_on=dt.date(2017, 9, 12)
        )


def test_needs_are_kept_out_of_the_history():
    registration = RegistrationFactory(needs="Rollstuhlplatz")
    record = registration.history.latest()
    assert not hasattr(record, "needs")
    assert record.person_name == registration.person_name
