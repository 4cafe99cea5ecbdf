"""factory_boy factories of the offer directory. Services made through the factory
are not indexed; tests that search create offers through the services."""

import factory
from factory.django import DjangoModelFactory

from kette.directory.models import Location, Organization, Service, ServiceStatus
from kette.testing.factories import MunicipalityFactory


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Träger {n}")


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    municipality = factory.LazyAttribute(lambda o: o.organization.municipality)
    name = factory.Sequence(lambda n: f"Angebot {n}")
    status = ServiceStatus.PUBLISHED


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Standort {n}")
    address_1 = "Marktplatz 1"
    postal_code = "50667"
    city = "Köln"
