"""HSDS 3.0 export: every object validates against the official JSON Schemas."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from jsonschema import FormatChecker

from kette.core.demo import DATA as CORE_DATA
from kette.directory import demo, hsds, hsds_validation
from kette.directory.models import (
    Location,
    LocationType,
    ServiceAtLocation,
    ServiceStatus,
)
from kette.directory.tests.factories import ServiceFactory
from kette.directory.tests.hsds_data import assert_no_empty_values, full_offer
from kette.testing import factories

pytestmark = pytest.mark.django_db


DATE_FIELDS = {"valid_from", "valid_to", "dtstart", "until", "assured_date"}
FORMATS = FormatChecker()


def _dates(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in DATE_FIELDS:
                yield item
            yield from _dates(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dates(item)


def assert_valid(obj, entity="service"):
    assert hsds_validation.errors(obj, entity) == []
    # HSDS 3.0 marks these dates only as `datapackage_type: date`, not `format: date`.
    assert all(FORMATS.conforms(d, "date") for d in _dates(obj)), list(_dates(obj))


def test_the_validator_rejects_bad_objects():
    """The schemas are really applied, formats included (uuid, email, date-time)."""
    good = {"id": "2f0a1a41-8a3c-4ae2-9a34-5b4c0a3c3e6c", "name": "x", "status": "active"}
    assert hsds_validation.errors(good) == []
    assert hsds_validation.errors({**good, "id": "not-a-uuid"}) == [
        "id: 'not-a-uuid' is not a 'uuid'"
    ]
    assert hsds_validation.errors({**good, "email": "kein"}) == ["email: 'kein' is not a 'email'"]
    assert hsds_validation.errors({**good, "status": "published"})
    assert hsds_validation.errors({**good, "last_modified": "gestern"})
    bad_phone = {**good, "phones": [{"id": good["id"]}]}  # number is required
    assert hsds_validation.errors(bad_phone) == ["phones/0: 'number' is a required property"]


def _export(service, **kwargs):
    queryset = hsds.export_queryset(service.municipality, include_unpublished=True)
    return hsds.service_to_hsds(queryset.get(pk=service.pk), **kwargs)


def test_a_full_offer_exports_every_field_and_validates():
    service = full_offer()
    data = _export(service)
    assert_valid(data)
    assert_no_empty_values(data)
    assert len(list(_dates(data))) == 6
    assert not FORMATS.conforms("04.03.2026", "date")
    assert data["id"] == str(service.id_hsds)
    assert data["status"] == "active"
    assert (data["minimum_age"], data["maximum_age"]) == (-0.75, 1.5)
    assert data["assured_date"] == timezone.localdate(service.last_verified_at).isoformat()
    assert data["organization"]["id"] == data["organization_id"]
    assert data["organization"]["legal_status"] == "eingetragener Verein"
    assert [p["number"] for p in data["organization"]["phones"]] == ["0221 1"]
    assert data["phones"] == [
        {
            "id": data["phones"][0]["id"],
            "service_id": data["id"],
            "number": "0221 123456",
            "extension": 12,
            "type": "voice",
        }
    ]
    (weekly,) = data["schedules"]
    assert weekly["freq"] == "WEEKLY" and weekly["byday"] == "WE"
    assert (weekly["opens_at"], weekly["closes_at"]) == ("09:30", "11:00")
    assert (weekly["valid_from"], weekly["valid_to"]) == ("2026-01-01", "2026-12-31")
    assert {x["code"] for x in data["languages"]} == {"de", "tr"}
    (cost,) = data["cost_options"]
    assert (cost["amount"], cost["currency"], cost["option"]) == (2.5, "EUR", "pro Treffen")
    areas = {a["name"]: a for a in data["service_areas"]}
    assert set(areas) == {"Ehrenfeld", service.municipality.name}
    assert areas["Ehrenfeld"]["extent_type"] == "geojson"
    assert json.loads(areas["Ehrenfeld"]["extent"])["type"] == "Polygon"
    assert {a["link_type"] for a in data["attributes"]} == {"field_of_action"}
    assert len(data["attributes"]) == 2
    term = data["attributes"][0]["taxonomy_term"]
    assert term["taxonomy_detail"]["id"] == term["taxonomy_id"]

    (sal,) = data["service_at_locations"]
    assert sal["description"] == "im Café"
    assert sal["schedules"][0]["dtstart"] == "2026-03-04"
    location = sal["location"]
    assert location["location_type"] == "physical"
    assert (location["latitude"], location["longitude"]) == (50.947, 6.921)
    (address,) = location["addresses"]
    assert address["address_1"] == "Venloer Straße 1"
    assert address["state_province"] == "Nordrhein-Westfalen"
    assert address["region"] == "Ehrenfeld"
    assert location["accessibility"][0]["description"] == "Stufenloser Zugang über den Hof"
    assert location["attributes"][0]["link_type"] == "accessibility"
    assert location["languages"][0]["code"] == "ar"
    assert location["schedules"][0]["byday"] == "MO"
    (fax,) = location["phones"]
    assert "extension" not in fax and fax["description"] == "(Durchwahl Zentrale)"

    # No named contacts in the public form …
    assert "contacts" not in data and "contacts" not in location
    assert "assurer_email" not in data
    assert "Erika" not in json.dumps(data)
    # … only for coordinators, and valid as well.
    internal = _export(service, include_contacts=True)
    assert_valid(internal)
    assert internal["contacts"][0]["name"] == "Erika Beispiel"
    assert internal["contacts"][0]["phones"][0]["number"] == "0221 999"
    assert internal["service_at_locations"][0]["location"]["contacts"][0]["name"] == "Hausmeister"
    assert internal["assurer_email"] == "koordination@stadt.example.org"

    # Ids are stable from one export to the next.
    assert _export(service) == data


def test_a_minimal_offer_exports_only_what_it_has():
    service = ServiceFactory(name="Sprechstunde", status=ServiceStatus.DRAFT, is_free=True)
    service.organization.description = ""
    service.organization.save()
    data = _export(service)
    assert_valid(data)
    assert set(data) == {
        "id",
        "organization_id",
        "name",
        "status",
        "last_modified",
        "organization",
        "cost_options",
    }
    assert data["status"] == "inactive"
    assert data["organization"] == {
        "id": str(service.organization.id_hsds),
        "name": service.organization.name,
        "description": "",
    }
    assert data["cost_options"][0]["amount"] == 0


def test_a_virtual_location_without_address_validates():
    service = ServiceFactory(min_age_months=36, max_age_months=72, status=ServiceStatus.ARCHIVED)
    location = Location.objects.create(
        municipality=service.municipality,
        location_type=LocationType.VIRTUAL,
        url="https://beratung.example.org/",
    )
    ServiceAtLocation.objects.create(
        municipality=service.municipality, service=service, location=location
    )
    data = _export(service)
    assert_valid(data)
    assert data["status"] == "defunct"
    assert (data["minimum_age"], data["maximum_age"]) == (3, 6)
    assert data["service_at_locations"][0]["location"] == {
        "id": str(location.id_hsds),
        "location_type": "virtual",
        "url": "https://beratung.example.org/",
    }


def test_the_command_exports_published_offers_only_unless_asked(tmp_path):
    service = full_offer()
    municipality = service.municipality
    draft = ServiceFactory(
        organization=service.organization, name="Entwurf", status=ServiceStatus.DRAFT
    )
    other = ServiceFactory(name="Anderswo")  # another municipality
    out = tmp_path / "hsds.json"

    stdout = io.StringIO()
    call_command(
        "export_hsds", str(out), municipality=municipality.slug, format="json", stdout=stdout
    )
    assert stdout.getvalue().strip() == f"1 Angebot in {out} geschrieben (HSDS 3.0)."
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [s["id"] for s in exported] == [str(service.id_hsds)]
    assert "contacts" not in exported[0]

    call_command("export_hsds", str(out), "--include-unpublished", municipality=municipality.slug)
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert {s["id"] for s in exported} == {str(service.id_hsds), str(draft.id_hsds)}
    assert str(other.id_hsds) not in out.read_text(encoding="utf-8")
    for item in exported:
        assert_valid(item)


def test_the_command_rejects_bad_input_in_german(tmp_path):
    with pytest.raises(CommandError, match="Es gibt keine Kommune „gibt-es-nicht“"):
        call_command("export_hsds", str(tmp_path / "x.json"), municipality="gibt-es-nicht")
    municipality = factories.MunicipalityFactory()
    with pytest.raises(CommandError, match="kann nicht geschrieben werden"):
        call_command(
            "export_hsds", str(tmp_path / "fehlt" / "x.json"), municipality=municipality.slug
        )


def test_the_koeln_demo_offers_export_valid_objects(tmp_path):
    programme = factories.ProgrammeFactory()
    outlines = json.loads((CORE_DATA / "programme_nrw_boundaries.geojson").read_text())
    boundary = next(
        f["geometry"] for f in outlines["features"] if f["properties"]["official_key"] == demo.KOELN
    )
    koeln = factories.MunicipalityFactory(
        programme=programme, official_key=demo.KOELN, boundary=boundary
    )
    factories.MunicipalityFactory(programme=programme, official_key=demo.AHLEN)
    factories.MunicipalityFactory(programme=programme, official_key=demo.DINSLAKEN)
    demo.load_directory_demo(lambda line: None)
    out = tmp_path / "koeln.json"
    call_command("export_hsds", str(out), municipality=koeln.slug)
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert len(exported) > 200
    problems = {s["name"]: hsds_validation.errors(s) for s in exported}
    assert {name: errs for name, errs in problems.items() if errs} == {}
    assert all(FORMATS.conforms(d, "date") for s in exported for d in _dates(s))
    assert all(s["service_at_locations"][0]["location"]["latitude"] for s in exported)
    assert all(s["attributes"] for s in exported)


def test_the_export_needs_a_fixed_number_of_queries(django_assert_max_num_queries):
    service = full_offer()
    for _ in range(5):
        ServiceFactory(organization=service.organization)
    with django_assert_max_num_queries(30):
        exported = list(hsds.export_services(service.municipality, include_contacts=True))
    assert len(exported) == 6


def test_a_directory_of_more_than_a_thousand_offers_exports(world):
    """One prefetch over thousands of offers exceeded SQLite's expression depth;
    the export now reads in chunks."""
    from kette.directory import services

    organization = services.organization_create(actor=None, municipality=world.a, name="Träger")
    services.services_create_bulk(
        actor=None,
        municipality=world.a,
        drafts=[
            services.OfferDraft(
                organization=organization,
                name=f"Angebot {i:04d}",
                status="published",
                languages=["de"],
                locations=[services.LocationDraft(fields={"address_1": f"Weg {i}"})],
            )
            for i in range(1_100)
        ],
    )
    exported = list(hsds.export_services(world.a))
    assert len(exported) == 1_100
    assert exported[0]["name"] == "Angebot 0000" and exported[-1]["name"] == "Angebot 1099"
    assert all(item["languages"] and item["service_at_locations"] for item in exported[::97])


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_json_export_in_pieces_is_exactly_the_whole_list_dumped(count):
    services = [
        {"id": str(i), "name": f"Angebot „{i}“", "phones": [{"number": "0221 1"}], "empty": {}}
        for i in range(count)
    ]
    pieces = list(hsds.export_json(iter(services)))
    assert len(pieces) == count + 1  # one per offer, and the end
    assert "".join(pieces) == json.dumps(services, ensure_ascii=False, indent=2) + "\n"
