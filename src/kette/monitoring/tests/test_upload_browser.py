"""Browser test of the monitoring uploads: a coordinator uploads Köln's
Stadtbezirke (GeoJSON) and values for them (CSV), sees each report and imports;
every page passes axe-core."""

import pytest
from django.conf import settings
from django.test import Client

from kette.testing.browser import browser_skip_reason

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.core.models import District, Role
from kette.monitoring import services
from kette.monitoring.demo import DATA
from kette.monitoring.models import Observation
from kette.testing.browser import assert_accessible, open_page
from kette.testing.factories import MunicipalityFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_boundaries_and_values_then_import(live_server, tmp_path) -> None:
    koeln = MunicipalityFactory(name="Köln", slug="koeln", official_key="05315000")
    # Transactional tests find the migration-created catalogue flushed.
    services.indicator_catalogue_sync(actor=None)
    client = Client()
    client.force_login(user_with_role(Role.COORDINATOR, koeln))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    values = tmp_path / "werte.csv"
    values.write_text(
        "Sozialraum;Indikator;Jahr;Wert\n1;sgb2-quote-u15;2023;12,5\n"
        "6;sgb2-quote-u15;2023;31,0\n5;sgb2-quote-u15;2023;140\n",
        "utf-8",
    )
    base = live_server.url + "/k/koeln/monitoring/"
    # The database is read only after the browser is closed (Playwright's loop).
    with open_page(live_server.url) as (page, _observed):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(base)
        # A fresh install's districts page points to the upload.
        page.get_by_role("link", name="Sozialraumgrenzen hochladen (GeoJSON)").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sozialraumgrenzen hochladen")
        assert_accessible(page)
        page.get_by_label("Datei (GeoJSON)").set_input_files(
            str(DATA / "koeln_stadtbezirke_osm.geojson")
        )
        page.locator("#id_level").fill("Stadtbezirk")
        page.get_by_role("button", name="Datei prüfen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sozialraumgrenzen prüfen")
        expect(page.get_by_text("Keine Probleme gefunden.")).to_be_visible()
        expect(page.locator("dt:has-text('Neue Sozialräume') + dd")).to_have_text("9")
        assert_accessible(page)
        page.get_by_role("button", name="Jetzt importieren").click()
        expect(page.get_by_role("status")).to_contain_text("Importiert. Neue Sozialräume: 9")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sozialräume von Köln")
        expect(page.get_by_text("9 Sozialräume")).to_be_visible()

        page.get_by_role("link", name="Werte hochladen").click()
        assert_accessible(page)
        page.get_by_label("Datei (CSV, XLSX, ODS oder XLS)").set_input_files(str(values))
        page.get_by_role("button", name="Datei prüfen").click()
        # Row 4 has an impossible percentage: reported, and no import button.
        expect(page.get_by_text("1 Problem – es wird nichts importiert")).to_be_visible()
        expect(
            page.get_by_text("Zeile 4, Spalte „Wert“: 140,0 ist als Prozentwert unmöglich.")
        ).to_be_visible()
        expect(page.get_by_role("button", name="Jetzt importieren")).to_have_count(0)
        assert_accessible(page)

        values.write_text(values.read_text("utf-8").replace(";140", ";14"), "utf-8")
        page.get_by_role("link", name="Andere Datei hochladen").click()
        page.get_by_label("Datei (CSV, XLSX, ODS oder XLS)").set_input_files(str(values))
        page.get_by_role("button", name="Datei prüfen").click()
        expect(page.locator("dt:has-text('Neue Werte') + dd")).to_have_text("3")
        assert_accessible(page)
        page.get_by_role("button", name="Jetzt importieren").click()
        expect(page.get_by_role("status")).to_contain_text("Importiert. Neue Werte: 3")
        assert_accessible(page)
    assert District.objects.filter(municipality=koeln, level="Stadtbezirk").count() == 9
    assert Observation.objects.filter(municipality=koeln).count() == 3
