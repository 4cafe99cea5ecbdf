"""Bulk writes validate exactly as `audited_save` would and record history."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kette.core.audit import BulkValidationError, audited_bulk_create, audited_insert_checked
from kette.core.bulk import RowMaker, random_uuids, set_related
from kette.directory.bulk_models import ColumnMapping
from kette.directory.models import Language, Location, Organization, Service
from kette.testing.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def _location(town, **fields):
    return Location(municipality=town, **fields)


# Each value is one that `clean_fields` refuses; the bulk write must refuse it
# with the same message, whatever shortcut it takes for valid rows.
BAD_LOCATIONS = [
    {"name": "x" * 301},  # too long
    {"url": "not a web address"},  # URL validator
    {"postal_code": "1234"},  # regex validator
    {"location_type": "moon"},  # not a choice
    {"latitude": Decimal("91")},  # max value
    {"longitude": Decimal("-180.5")},  # min value
    {"latitude": Decimal("50.1234567")},  # too many decimal places
    {"latitude": Decimal("NaN")},
    {"country": ""},  # required (not blank)
    {"latitude": "fifty"},  # not a number
]


@pytest.mark.parametrize("fields", BAD_LOCATIONS, ids=[str(f) for f in BAD_LOCATIONS])
def test_bulk_create_refuses_what_clean_fields_refuses_with_its_message(fields):
    town = MunicipalityFactory()
    good = _location(town, name="Familienzentrum", latitude=Decimal("50.9"))
    bad = _location(town, **fields)
    with pytest.raises(ValidationError) as expected:
        bad.clean_fields(exclude=["municipality", "organization", "district"])
    bad = _location(town, **fields)  # clean_fields converts in place; start afresh
    with pytest.raises(BulkValidationError) as refused:
        audited_bulk_create([good, bad], actor=None)
    assert refused.value.index == 1
    assert refused.value.message_dict == expected.value.message_dict
    assert not Location.objects.exists()


def test_verdicts_remembered_for_valid_values_never_pass_an_invalid_one():
    # the checks remember texts that passed a field's validators; a value equal
    # to one that passed (7 == 7.0000000) must still get its own verdict
    town = MunicipalityFactory()
    good = [
        _location(town, url="https://example.org/a", postal_code="50667", latitude=Decimal("7"))
        for _ in range(3)
    ]
    audited_bulk_create(good, actor=None)
    for fields in (
        {"latitude": Decimal("7.0000000")},
        {"url": "https://example.org/a not a web address"},
        {"postal_code": "50667 "},
    ):
        seen = _location(town, url="https://example.org/a", postal_code="50667")
        with pytest.raises(BulkValidationError) as refused:
            audited_bulk_create([seen, _location(town, **fields)], actor=None)
        assert refused.value.index == 1
        assert set(refused.value.message_dict) == set(fields)
    assert Location.objects.count() == 3


def test_bulk_create_accepts_values_django_converts_and_stores_them_converted():
    town = MunicipalityFactory()
    organization = Organization.objects.create(municipality=town, name="Träger")
    service = Service(
        municipality=town,
        organization=organization,
        name="Elterncafé",
        min_age_months="12",  # a string Django turns into a number
        last_verified_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC),
        id_hsds=str(uuid.uuid4()),
    )
    location = _location(town, latitude=Decimal("50.9375"), longitude=7, name="")
    audited_bulk_create([service], actor=None)
    audited_bulk_create([location], actor=None)
    stored = Service.objects.get()
    assert stored.min_age_months == 12
    assert isinstance(stored.id_hsds, uuid.UUID)
    assert Location.objects.get().longitude == Decimal("7")


def test_bulk_decimals_are_stored_exactly_as_save_stores_them():
    town = MunicipalityFactory()
    values = [Decimal("50.937531"), Decimal("-6.9"), Decimal("7"), Decimal("0.000001")]
    saved = []
    for value in values:
        location = _location(town, latitude=value, longitude=value)
        location.save()
        saved.append(location.pk)
    written = audited_bulk_create(
        [_location(town, latitude=v, longitude=v) for v in values], actor=None
    )
    table = Location._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, latitude, longitude FROM {table} ORDER BY id")  # noqa: S608
        raw = {key: (lat, lon) for key, lat, lon in cursor.fetchall()}
    assert [raw[location.pk] for location in written] == [raw[key] for key in saved]
    stored = Location.objects.in_bulk([location.pk for location in written])
    assert [stored[location.pk].latitude for location in written] == values


def test_bulk_create_gives_every_row_one_creation_time_and_a_history_record():
    town = MunicipalityFactory()
    rows = [_location(town, name=f"Ort {i}") for i in range(3)]
    audited_bulk_create(rows, actor=None, reason="import")
    assert len({location.created_at for location in rows}) == 1
    stored = Location.objects.order_by("pk")
    assert [location.created_at for location in stored] == [rows[0].created_at] * 3
    history = Location.history.filter(history_type="+", history_change_reason="import")
    assert sorted(history.values_list("id", flat=True)) == [location.pk for location in rows]


def test_history_of_a_large_bulk_write_has_one_record_per_row_with_its_values():
    town = MunicipalityFactory()
    rows = [_location(town, name=f"Ort {i}", postal_code=f"{50600 + i}") for i in range(250)]
    audited_bulk_create(rows, actor=None)
    history = Location.history.filter(history_type="+").order_by("history_id")
    assert list(history.values_list("id", "name", "postal_code")) == [
        (location.pk, location.name, location.postal_code) for location in rows
    ]
    assert len({record.history_date for record in history}) == 1


def test_plain_rows_are_checked_as_instances_would_be():
    town = MunicipalityFactory()
    organization = Organization.objects.create(municipality=town, name="Träger")
    service = Service.objects.create(municipality=town, organization=organization, name="Kurs")
    rows = [
        {"municipality_id": town.pk, "service_id": service.pk, "code": "de"},
        {"municipality_id": town.pk, "service_id": service.pk, "code": "Deutsch"},
    ]
    with pytest.raises(ValidationError) as expected:
        Language(**rows[1]).clean_fields(exclude=["municipality", "service", "location"])
    with pytest.raises(BulkValidationError) as refused:
        audited_insert_checked(Language, rows, actor=None)
    assert refused.value.index == 1
    assert refused.value.message_dict == expected.value.message_dict
    assert not Language.objects.exists()
    keys = audited_insert_checked(Language, rows[:1], actor=None)
    assert list(Language.objects.values_list("pk", "code")) == [(keys[0], "de")]
    assert Language.history.filter(id=keys[0], history_type="+").count() == 1


def test_pooled_random_uuids_are_version_4_and_distinct():
    ids = list(itertools.islice(random_uuids(), 1000))  # spans several reads of the pool
    assert len(set(ids)) == 1000
    assert {(new.version, new.variant) for new in ids} == {(4, uuid.RFC_4122)}


def test_plain_rows_without_an_hsds_id_get_a_new_random_one_each():
    town = MunicipalityFactory()
    organization = Organization.objects.create(municipality=town, name="Träger")
    rows = [
        {"municipality_id": town.pk, "organization_id": organization.pk, "name": f"Angebot {i}"}
        for i in range(300)
    ]
    audited_insert_checked(Service, rows, actor=None)
    stored = set(Service.objects.values_list("id_hsds", flat=True))
    assert len(stored) == 300
    assert {new.version for new in stored} == {4}


def test_update_columns_writes_each_row_its_values_over_several_statements(monkeypatch):
    from django.db import connection

    from kette.core import bulk
    from kette.directory.search import FTS_TABLE

    town = MunicipalityFactory()
    organization = Organization.objects.create(municipality=town, name="Träger")
    offers = Service.objects.bulk_create(
        Service(municipality=town, organization=organization, name=f"Angebot {i}") for i in range(7)
    )
    monkeypatch.setattr(bulk, "_max_parameters", lambda: 9)  # two rows per statement
    written = {
        offer.pk: (f"kurs{i} o'neill", f"mütter „zitat“ {i}", "")
        for i, offer in enumerate(offers[:5])
    }
    bulk.update_columns(Service, ("search_name", "search_body", "search_filters"), written)
    rows = Service.objects.filter(municipality=town).values_list(
        "pk", "search_name", "search_body", "search_filters"
    )
    stored = {pk: tuple(document) for pk, *document in rows}
    assert {pk: stored[pk] for pk in written} == written
    assert stored[offers[5].pk] == stored[offers[6].pk] == ("", "", "")
    if connection.vendor == "sqlite":  # the full-text index followed, row by row
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
            )
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH 'kurs3'"  # noqa: S608
            )
            assert [row[0] for row in cursor.fetchall()] == [offers[3].pk]


@pytest.mark.parametrize("model", [Service, Location, ColumnMapping])
def test_a_row_maker_makes_what_the_constructor_makes(model):
    """Same attributes, same related objects held, new ids and new mutable
    defaults per row; values set through the descriptors (an object sets its
    key); the rows save as constructed ones do."""
    town = MunicipalityFactory()
    organization = Organization.objects.create(municipality=town, name="Träger")
    make = RowMaker(model, municipality=town)
    values = {"name": "Angebot"}
    if model is not ColumnMapping:
        values["organization"] = organization
    made, other, built = make(**values), make(**values), model(municipality=town, **values)

    def attributes(row):
        return {k: v for k, v in row.__dict__.items() if k not in ("_state", "id_hsds")}

    assert attributes(made) == attributes(built)
    assert made._state.fields_cache == built._state.fields_cache
    assert made.municipality is town and made.municipality_id == town.pk
    assert (made._state.adding, made._state.db, made.pk) == (True, built._state.db, None)
    if model is ColumnMapping:
        made.mapping["Bezeichnung"] = "Angebot"
        assert other.mapping == {}  # not shared
    else:
        assert made.organization_id == organization.pk
        assert made.id_hsds.version == 4
        assert len({made.id_hsds, other.id_hsds, built.id_hsds}) == 3
    made.save()
    assert model.objects.get(pk=made.pk).name == "Angebot"


def test_a_row_maker_keeps_a_given_id():
    town = MunicipalityFactory()
    given = uuid.uuid4()
    assert RowMaker(Service, municipality=town)(name="Angebot", id_hsds=given).id_hsds == given


def test_set_related_sets_what_the_descriptor_sets():
    """An object of the same database: its id (None while unsaved) and the
    object held; anything else goes through the descriptor, with its checks."""
    town = MunicipalityFactory()
    saved = Organization.objects.create(municipality=town, name="Träger")
    unsaved = Organization(municipality=town, name="Neu")
    for target in (saved, unsaved):
        quick, plain = Service(municipality=town), Service(municipality=town)
        set_related(quick, "organization", target)
        plain.organization = target
        assert quick.organization_id == plain.organization_id == target.pk
        assert quick._state.fields_cache == plain._state.fields_cache
        assert quick.organization is target
    service = Service(municipality=town, organization=saved)
    set_related(service, "organization", None)
    assert service.organization_id is None
    assert service._state.fields_cache["organization"] is None
    set_related(service, "name", "Angebot")  # not a key: set as it is
    assert service.name == "Angebot"
    with pytest.raises(ValueError, match="must be a"):
        set_related(service, "organization", town)  # the wrong model: Django refuses


def test_loaded_instances_equal_those_of_only_and_read_deferred_fields_on_access(
    django_assert_num_queries,
):
    from django.db.models import signals

    from kette.core.bulk import loaded
    from kette.core.models import District

    town = MunicipalityFactory()
    square = {"type": "Polygon", "coordinates": [[[7, 50], [7.1, 50], [7.1, 50.1], [7, 50]]]}
    for code, name in (("2", "Süd"), ("1", "Nord")):
        District.objects.create(municipality=town, code=code, name=name, boundary=square)
    attnames = ["id", "municipality_id", "code", "name", "parent_id"]
    rows = District.objects.filter(municipality=town).order_by("code")
    with django_assert_num_queries(1):
        fast = loaded(rows, attnames)
    usual = list(rows.only(*attnames))
    assert [(d.pk, d.code, d.name, d.municipality_id) for d in fast] == [
        (d.pk, d.code, d.name, d.municipality_id) for d in usual
    ]
    assert fast == usual and fast[0].get_deferred_fields() == usual[0].get_deferred_fields()
    assert not fast[0]._state.adding and fast[0]._state.db == "default"
    with django_assert_num_queries(1):
        assert fast[0].boundary == square  # deferred: read on access
    # with listeners on the model's construction, the usual way
    seen = []

    def listener(**kwargs):
        seen.append(kwargs["instance"])

    signals.post_init.connect(listener, sender=District)
    try:
        assert [d.name for d in loaded(rows, attnames)] == ["Nord", "Süd"]
    finally:
        signals.post_init.disconnect(listener, sender=District)
    assert len(seen) == 2
