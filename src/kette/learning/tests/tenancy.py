"""The learning network's part of the cross-tenant harness (see kette.testing.tenancy).

A's internal data carrying the secret: a short talk A submitted but the office has
not accepted, a registration of A's (name and needs; the person attended, so the
published minutes' attendance list must not name them to outsiders) and a
private meeting's title, and a draft practice example.
"""

import datetime as dt

from kette.learning.models import (
    Attendance,
    ContributionStatus,
    Minutes,
    MinutesEntry,
    PracticeExample,
    Visibility,
)
from kette.learning.tests.factories import (
    AgendaItemFactory,
    ContributionFactory,
    MeetingFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from kette.testing.tenancy import register_kwarg, register_seeder


def seed_learning(world):
    soon = dt.date.today() + dt.timedelta(days=30)
    meeting = MeetingFactory(
        programme=world.programme,
        number=901,
        title="Öffentliches Treffen",
        starts_on=soon,
        ends_on=soon,
        host_municipality=world.a,
        visibility=Visibility.PUBLIC,
    )
    item = AgendaItemFactory(meeting=meeting)
    group = WorkingGroupFactory(meeting=meeting)
    ContributionFactory(
        working_group=group,
        municipality=world.a,
        status=ContributionStatus.ACCEPTED,
        title="Angenommenes Kurzreferat",
    )
    submitted = ContributionFactory(
        working_group=group,
        municipality=world.a,
        title=f"Eingereicht {world.secret}",
        abstract=world.secret,
    )
    registration = RegistrationFactory(
        meeting=meeting,
        municipality=world.a,
        person_name=f"Teilnehmerin {world.secret}",
        needs=world.secret,
        attendance=Attendance.ATTENDED,
    )
    # Published minutes: their attendance list names people only to the office.
    minutes = Minutes.objects.create(meeting=meeting, introduction="Protokoll", published=True)
    MinutesEntry.objects.create(minutes=minutes, agenda_item=item, text="Begrüßt wurde.")
    MeetingFactory(
        programme=world.programme,
        number=902,
        title=f"Internes Treffen {world.secret}",
        visibility=Visibility.PRIVATE,
    )
    # A draft practice example: only A and the office may read it.
    example = PracticeExample.objects.create(
        municipality=world.a, title=f"Entwurf {world.secret}", summary=world.secret
    )
    world.objects.update(
        practice_example=example,
        meeting=meeting,
        agenda_item=item,
        working_group=group,
        contribution=submitted,
        registration=registration,
    )


register_seeder(seed_learning)
register_kwarg("number", lambda world: world.objects["meeting"].number)
register_kwarg("item_pk", lambda world: world.objects["agenda_item"].pk)
register_kwarg("group_pk", lambda world: world.objects["working_group"].pk)
register_kwarg("contribution_pk", lambda world: world.objects["contribution"].pk)
register_kwarg("example_pk", lambda world: world.objects["practice_example"].pk)
register_kwarg("registration_pk", lambda world: world.objects["registration"].pk)
# A valid link would let anyone who holds it cancel (that is its point); the
# harness probes a broken one. test_views covers valid links.
register_kwarg("cancel_token", lambda world: "ungueltiger-link")
