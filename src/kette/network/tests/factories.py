"""factory_boy factories of the network app."""

import factory
from factory.django import DjangoModelFactory

from kette.directory.tests.factories import OrganizationFactory
from kette.network.models import (
    ActorProfile,
    Body,
    BodyKind,
    BodyMembership,
    Cooperation,
    CooperationKind,
    Level,
    Person,
    Sector,
)
from kette.testing.factories import MunicipalityFactory


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"sektor-{n}")
    name = factory.Sequence(lambda n: f"Sektor {n}")


class ActorProfileFactory(DjangoModelFactory):
    class Meta:
        model = ActorProfile

    organization = factory.SubFactory(OrganizationFactory)
    municipality = factory.LazyAttribute(lambda o: o.organization.municipality)
    sector = None


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Fachkraft {n}")
    function = "Fachdienstleitung"
    level = Level.DEPARTMENT


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Gremium {n}")
    kind = BodyKind.WORKING_GROUP


class BodyMembershipFactory(DjangoModelFactory):
    class Meta:
        model = BodyMembership

    body = factory.SubFactory(BodyFactory)
    municipality = factory.LazyAttribute(lambda o: o.body.municipality)
    level = Level.DEPARTMENT


class CooperationFactory(DjangoModelFactory):
    class Meta:
        model = Cooperation

    organization_a = factory.SubFactory(OrganizationFactory)
    organization_b = factory.SubFactory(
        OrganizationFactory, municipality=factory.SelfAttribute("..organization_a.municipality")
    )
    municipality = factory.LazyAttribute(lambda o: o.organization_a.municipality)
    kind = CooperationKind.INFORMAL
    strength = 2
