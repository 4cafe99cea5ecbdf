"""HSDS 3.0 tabular data package export (`kette export_hsds --format datapackage`),
validated with frictionless against the official table schemas."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from frictionless import validate

from kette.directory import hsds_tabular, hsds_validation
from kette.directory.models import ServiceStatus
from kette.directory.tests.factories import ServiceFactory
from kette.directory.tests.hsds_data import full_offer

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent / "hsds_examples"


def export(tmp_path, service, *args, fmt="datapackage"):
    out = tmp_path / ("paket" if fmt == "datapackage" else "angebote.json")
    call_command("export_hsds", str(out), *args, municipality=service.municipality.slug, format=fmt)
    return out


def rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_valid_package(directory):
    report = validate(directory / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_data_package_is_valid_and_complete(tmp_path):
    offer = full_offer()
    ServiceFactory(organization=offer.organization, name="Zweites Angebot", is_free=True)
    ServiceFactory(organization=offer.organization, name="Entwurf", status=ServiceStatus.DRAFT)
    out = export(tmp_path, offer)
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["name"] == f"kette-{offer.municipality.slug}"
    assert [r["name"] for r in descriptor["resources"]] == list(hsds_tabular.resources())
    assert len(descriptor["resources"]) == 21
    for resource in descriptor["resources"]:
        with (out / resource["path"]).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [f["name"] for f in resource["schema"]["fields"]]
    assert_valid_package(out)

    services = rows(out / "services.csv")
    assert [s["name"] for s in services] == ["Babytreff", "Zweites Angebot"]
    assert services[0]["minimum_age"] == "-0.75" and services[0]["maximum_age"] == "1.5"
    assert len(rows(out / "organizations.csv")) == 1
    assert len(rows(out / "service_at_location.csv")) == 1
    assert rows(out / "addresses.csv")[0]["postal_code"] == "50823"
    assert len(rows(out / "schedules.csv")) == 3
    assert {r["link_entity"] for r in rows(out / "attributes.csv")} == {"service", "location"}
    assert len(rows(out / "taxonomies.csv")) == 2
    assert rows(out / "cost_options.csv")[1]["option"] == "kostenlos"
    assert rows(out / "contacts.csv") == []  # no named people without --include-contacts
    assert "0221 999" not in (out / "phones.csv").read_text(encoding="utf-8")


def test_the_package_reads_back_to_the_json_export(tmp_path):
    offer = full_offer()
    ServiceFactory(organization=offer.organization, name="Zweites Angebot", is_free=True)
    for args in ([], ["--include-contacts", "--include-unpublished"]):
        package = export(tmp_path, offer, *args)
        assert_valid_package(package)
        exported = json.loads(export(tmp_path, offer, *args, fmt="json").read_text("utf-8"))
        assert hsds_tabular.read_package(package) == exported
    assert sorted(r["name"] for r in rows(package / "contacts.csv")) == [
        "Erika Beispiel",
        "Geschäftsführung",  # the organisation's own
        "Hausmeister",
    ]


def test_the_official_example_package_reads_into_valid_services():
    services = hsds_tabular.read_package(EXAMPLES / "csv")
    assert len(services) == 1
    service = services[0]
    assert service["name"] == "Community Counselling"
    assert service["organization"]["name"]
    assert service["service_at_locations"][0]["location"]["addresses"]
    assert hsds_validation.errors(service) == []
