"""Browser tests of HSDS on the import page: a coordinator downloads the
municipality's offers as a data package (keyboard-reachable form), and imports
an HSDS file after checking it; every page passes axe-core."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from kette.core.models import Role
from kette.directory import services
from kette.directory.models import Service, ServiceStatus
from kette.testing.browser import browser_skip_reason, session_cookie
from kette.testing.factories import MunicipalityFactory, user_with_role

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.testing.browser import assert_accessible, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parent / "hsds_examples"


def test_a_coordinator_downloads_all_offers_as_an_hsds_data_package(live_server) -> None:
    services.taxonomy_ensure_defaults()  # a transactional test before may have flushed them
    city = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    coordinator = user_with_role(Role.COORDINATOR, city)
    organization = services.organization_create(actor=None, municipality=city, name="Turnverein")
    services.service_create(
        actor=None, organization=organization, name="Babyturnen", status=ServiceStatus.PUBLISHED
    )
    draft = services.service_create(actor=None, organization=organization, name="Eltern-Kind-Yoga")
    assert draft.status == ServiceStatus.DRAFT
    cookie = session_cookie(coordinator, live_server.url)
    with open_page(live_server.url) as (page, _observed):
        page.context.add_cookies([cookie])
        page.goto(f"{live_server.url}/k/musterstadt/angebote/import/")
        form = page.get_by_role("group", name="Alle Angebote als Open Referral HSDS 3.0")
        expect(form).to_be_visible()
        assert_accessible(page)
        form.get_by_label("Tabellarisches Datenpaket (ZIP mit CSV-Dateien)").check()
        form.get_by_label("Auch Entwürfe und archivierte Angebote").press("Space")
        with page.expect_download() as started:
            form.get_by_role("button", name="HSDS herunterladen").press("Enter")
        download = started.value
        assert download.suggested_filename.startswith("angebote-musterstadt-hsds-")
        assert download.suggested_filename.endswith(".zip")
        with zipfile.ZipFile(download.path()) as archive:
            rows = list(csv.DictReader(io.TextIOWrapper(archive.open("services.csv"), "utf-8")))
            assert "datapackage.json" in archive.namelist()
    assert sorted(row["name"] for row in rows) == ["Babyturnen", "Eltern-Kind-Yoga"]


def test_a_coordinator_imports_an_hsds_file_after_checking_it(live_server) -> None:
    services.taxonomy_ensure_defaults()
    coordinator = user_with_role(
        Role.COORDINATOR, MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    )
    cookie = session_cookie(coordinator, live_server.url)
    with open_page(live_server.url) as (page, _observed):
        page.context.add_cookies([cookie])
        page.goto(f"{live_server.url}/k/musterstadt/angebote/import/")
        page.get_by_role(
            "link", name="Stattdessen eine HSDS-Datei (Open Referral) importieren"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("HSDS-Datei importieren")
        assert_accessible(page)
        page.get_by_label("Datei (HSDS-JSON oder Datenpaket als ZIP)").set_input_files(
            str(EXAMPLES / "service_full.json")
        )
        page.get_by_role("button", name="Datei prüfen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("HSDS-Import prüfen")
        expect(page.get_by_text("Keine Probleme gefunden.")).to_be_visible()
        expect(
            page.get_by_role(
                "table", name="HSDS-Felder, die kette nicht abbildet (nicht übernommen)"
            )
        ).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Jetzt importieren").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("HSDS-Datei importieren")
        expect(page.get_by_role("status")).to_contain_text("1 Angebot(e) angelegt")
        assert_accessible(page)
    assert Service.objects.filter(municipality__slug="musterstadt").count() == 1
