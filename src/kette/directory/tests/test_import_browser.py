"""Browser test: a coordinator downloads the municipality's offers as an HSDS
data package from the import page (keyboard-reachable form); the page passes
axe-core."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.conf import settings
from django.test import Client

from kette.core.models import Role
from kette.directory import services
from kette.directory.models import ServiceStatus
from kette.testing.browser import browser_skip_reason
from kette.testing.factories import MunicipalityFactory, user_with_role

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.testing.browser import assert_accessible, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    client = Client()
    client.force_login(coordinator)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with open_page(live_server.url) as (page, _observed):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
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
