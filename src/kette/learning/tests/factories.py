"""factory_boy factories for the learning network."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from kette.learning import services
from kette.learning.models import (
    AgendaItem,
    AgendaItemKind,
    Contribution,
    Meeting,
    Registration,
    Visibility,
    WorkingGroup,
)
from kette.testing.factories import MunicipalityFactory, ProgrammeFactory


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    programme = factory.SubFactory(ProgrammeFactory)
    # Within 1..999 (MAX_MEETING_NUMBER) and apart from the numbers tests choose
    # explicitly (3 … 30, 901, 902, 999).
    number = factory.Sequence(lambda n: 100 + n % 700)
    title = factory.Sequence(lambda n: f"Lernnetzwerktreffen {n + 1}")
    starts_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))
    ends_on = factory.SelfAttribute("starts_on")
    venue = "Rathaus, Ratssaal"
    visibility = Visibility.PUBLIC


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    day = factory.SelfAttribute("meeting.starts_on")
    start_time = dt.time(10, 0)
    end_time = dt.time(10, 30)
    kind = AgendaItemKind.WELCOME
    title = "Begrüßung"


class WorkingGroupFactory(DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"AG {n + 1}: Übergänge gestalten")
    topic = "Austausch zwischen Kommunen"
    moderators = "Landeskoordinierungsstelle"
    room = "Raum 1"


class ContributionFactory(DjangoModelFactory):
    class Meta:
        model = Contribution

    working_group = factory.SubFactory(WorkingGroupFactory)
    municipality = factory.SubFactory(
        MunicipalityFactory, programme=factory.SelfAttribute("..working_group.meeting.programme")
    )
    presenter = "Erika Beispiel"
    title = factory.Sequence(lambda n: f"Kurzreferat {n + 1}")
    abstract = "Wie wir die Steuerungsgruppe aufgebaut haben."


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    meeting = factory.SubFactory(MeetingFactory)
    person_name = factory.Sequence(lambda n: f"Person Beispiel {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    municipality = factory.SubFactory(
        MunicipalityFactory, programme=factory.SelfAttribute("..meeting.programme")
    )


def share_example(municipality, title, **fields):
    """A practice example shared through the service (a draft unless `status` says
    published)."""
    fields.setdefault("summary", "So machen wir es.")
    return services.practice_example_create(
        actor=None, municipality=municipality, title=title, **fields
    )
