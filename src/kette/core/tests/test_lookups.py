"""`field__any=values` finds exactly what `field__in=values` finds, on every database."""

import uuid

import pytest
from django.db import connection

from kette.directory.models import Organization
from kette.testing.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_any_finds_what_in_finds_for_ids_foreign_keys_strings_and_uuids():
    towns = [MunicipalityFactory() for _ in range(3)]
    organizations = [
        Organization.objects.create(
            municipality=towns[i % 3], name=f"Träger {i}", id_hsds=uuid.uuid4()
        )
        for i in range(7)
    ]
    missing = uuid.uuid4()
    cases = [
        ("pk", [organizations[0].pk, organizations[3].pk, organizations[3].pk, 10**9]),
        ("pk", [str(organizations[2].pk)]),  # as text: converted as `__in` does
        ("municipality_id", [towns[0].pk, towns[2].pk]),
        ("municipality", [towns[1]]),  # model instances, as `__in` takes them
        ("name", ["Träger 2", "Träger 5", "Träger 99"]),
        ("id_hsds", [organizations[1].id_hsds, organizations[6].id_hsds, missing]),
        ("id_hsds", [str(organizations[4].id_hsds)]),  # as text
    ]
    for field, values in cases:
        expected = set(Organization.objects.filter(**{f"{field}__in": values}))
        assert expected, field
        assert set(Organization.objects.filter(**{f"{field}__any": values})) == expected, field
        assert set(Organization.objects.exclude(**{f"{field}__any": values})) == (
            set(Organization.objects.all()) - expected
        ), field
        # any iterable: a set or a dict's keys as well as a list
        for other in (set(values), dict.fromkeys(values)):
            assert set(Organization.objects.filter(**{f"{field}__any": other})) == expected
    assert not Organization.objects.filter(pk__any=set()).exists()
    assert not Organization.objects.filter(pk__any=[]).exists()
    assert Organization.objects.exclude(pk__any=[]).count() == len(organizations)


def test_any_sends_the_values_as_one_parameter_and_uses_the_index():
    town = MunicipalityFactory()
    ids = list(range(1, 501))
    sql, params = Organization.objects.filter(
        municipality=town, pk__any=ids
    ).query.sql_with_params()
    assert len(params) == 2  # the municipality and every id at once
    if connection.vendor == "sqlite":
        assert "json_each" in sql
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "SEARCH directory_organization" in plan, plan
        assert "SCAN directory_organization" not in plan, plan
    elif connection.vendor == "postgresql":
        assert "= ANY(" in sql
