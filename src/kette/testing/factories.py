"""factory_boy factories for the core models; apps add theirs beside their tests."""

import factory
from factory.django import DjangoModelFactory

from kette.core.models import Membership, Municipality, MunicipalityKind, Programme, Role, User

TEST_PASSWORD = "Testpasswort-2026!"


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = "Testprogramm Präventionsketten"
    slug = "testprogramm"
    state = "Nordrhein-Westfalen"


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Teststadt {n}")
    slug = factory.Sequence(lambda n: f"teststadt-{n}")
    kind = MunicipalityKind.KREISANGEHOERIGE_GEMEINDE
    official_key = factory.Sequence(lambda n: f"05{n:06d}")
    population = 50000
    cohort = 2017


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    programme = factory.LazyAttribute(lambda o: o.municipality.programme)
    role = Role.COORDINATOR


def user_with_role(role: str, municipality: Municipality | None = None, **fields) -> User:
    """A user holding `role` in `municipality` (or programme-wide without one)."""
    user = UserFactory(**fields)
    if municipality is None:
        programme = ProgrammeFactory()
        Membership.objects.create(user=user, programme=programme, municipality=None, role=role)
    else:
        Membership.objects.create(
            user=user, programme=municipality.programme, municipality=municipality, role=role
        )
    return user
