"""Browser tests: the core pages in Debian's Chromium, driven by Playwright, each page
checked with axe-core.

Playwright's sync API runs an asyncio event loop in the test's thread while a
browser is open, and Django refuses ORM calls while a loop is running
(SynchronousOnlyOperation). So every test does its database work before it opens
the browser (`open_page`) or after the browser is closed; the live server answers
from its own thread and is not affected.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from kette.core import demo
from kette.core.models import AccessibilityFeedback, Municipality
from kette.testing.browser import browser_skip_reason

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.testing.browser import assert_accessible, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(settings) -> dict[str, object]:
    """The core demo (programme, 40 municipalities, demo accounts), loaded before any
    browser opens. A fast password hasher keeps the seven demo accounts cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load_core(lambda text: None)
    koeln = Municipality.objects.get(slug="koeln")
    return {
        "outlines": Municipality.objects.filter(boundary__isnull=False).count(),
        "koeln": koeln,
    }


def test_public_start_page_map_and_municipality_page(live_server, demo_data) -> None:
    with open_page(live_server.url) as (page, _observed):
        page.goto(live_server.url + "/")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.get_by_role("heading", level=1)).to_have_text("Kommunale Präventionsketten NRW")
        expect(page.get_by_role("heading", name="40 Programmkommunen")).to_be_visible()
        # The table beside the map lists every municipality.
        table = page.get_by_role("table", name="Programmkommunen nach Name")
        expect(table.locator("tbody tr")).to_have_count(40)
        # Leaflet drew the GeoJSON outlines as SVG paths.
        outlines = page.locator("#municipality-map svg path.leaflet-interactive")
        expect(outlines).to_have_count(demo_data["outlines"])
        assert demo_data["outlines"] >= 40
        assert_accessible(page)
        # A public visitor gets no cookie at all.
        assert page.context.cookies() == []

        table.get_by_role("link", name="Köln", exact=True).click()
        expect(page).to_have_url(re.compile(r"/k/koeln/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Köln")
        expect(page.locator(".map-small svg path.leaflet-interactive").first).to_be_attached()
        assert_accessible(page)
        assert page.context.cookies() == []


def test_accessibility_statement_feedback_is_stored(live_server, demo_data) -> None:
    with open_page(live_server.url) as (page, _observed):
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Erklärung zur Barrierefreiheit").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Erklärung zur Barrierefreiheit")
        assert_accessible(page)
        # Sending the empty form names the missing field, in German.
        page.get_by_role("button", name="Rückmeldung senden").click()
        expect(page.get_by_role("alert")).to_contain_text("Bitte prüfen Sie Ihre Eingaben")
        assert_accessible(page)
        page.get_by_label("Welche Barriere ist Ihnen begegnet?").fill(
            "Die Karte lässt sich nicht mit der Tastatur verschieben."
        )
        page.get_by_label("Auf welcher Seite? (optional)").fill("/k/koeln/")
        page.get_by_role("button", name="Rückmeldung senden").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Vielen Dank! Ihre Rückmeldung ist bei uns angekommen."
        )
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.message == "Die Karte lässt sich nicht mit der Tastatur verschieben."
    assert feedback.page_url == "/k/koeln/"


def test_coordinator_workspace_members_and_history(live_server, demo_data) -> None:
    with open_page(live_server.url) as (page, _observed):
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Anmelden").click()
        assert_accessible(page)
        page.get_by_label("Benutzername").fill("koordination-koeln")
        page.get_by_label("Passwort").fill(demo.DEMO_PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Anmelden").click()
        expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
        assert_accessible(page)

        page.get_by_role("region", name="Meine Kommunen").get_by_role("link", name="Köln").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Arbeitsbereich Köln")
        assert_accessible(page)

        workspace_nav = page.get_by_role("navigation", name="Arbeitsbereich")
        workspace_nav.get_by_role("link", name="Mitglieder").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mitglieder in Köln")
        members = page.get_by_role("table", name="Personen mit Zugang zu dieser Kommune")
        expect(members).to_contain_text("Robin Redaktion")
        assert_accessible(page)

        workspace_nav.get_by_role("link", name="Änderungsverlauf").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Änderungsverlauf")
        changes = page.get_by_role("table", name="Letzte Änderungen, neueste zuerst")
        expect(changes).to_contain_text("Kommune")
        assert_accessible(page)

        changes.get_by_role("link", name="Köln", exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Verlauf von Kommune „Köln“")
        expect(page.locator(".history > li")).not_to_have_count(0)
        assert_accessible(page)


def test_language_switch_and_language_cookie(live_server, demo_data) -> None:
    with open_page(live_server.url) as (page, _observed):
        page.goto(live_server.url + "/k/koeln/")
        expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_attached()

        page.get_by_role("link", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page).to_have_url(re.compile(r"/k/koeln/$"))
        expect(page.get_by_role("link", name="Skip to content")).to_be_attached()
        expect(page.get_by_role("link", name="Accessibility statement")).to_be_visible()
        expect(page.locator("dl.facts")).to_contain_text("Official key")
        assert_accessible(page)
        # The language cookie is the only cookie a visitor gets.
        cookies = page.context.cookies()
        assert [(c["name"], c["value"]) for c in cookies] == [(settings.LANGUAGE_COOKIE_NAME, "en")]

        page.goto(live_server.url + "/")
        expect(page.get_by_role("heading", name="40 programme municipalities")).to_be_visible()

        page.get_by_role("link", name="Deutsch").click()
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.get_by_role("heading", name="40 Programmkommunen")).to_be_visible()
        assert [c["value"] for c in page.context.cookies()] == ["de"]


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(live_server, demo_data) -> None:
    with open_page(live_server.url) as (page, _observed):
        page.goto(live_server.url + "/")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.className, document.activeElement.textContent]"
        )
        assert focused == ["skip-link", "Zum Inhalt springen"]
        # The focused skip link is visible on screen.
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["y"] >= 0
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        # The next Tab stop is inside the main content, not back in the header.
        page.keyboard.press("Tab")
        inside_main = page.evaluate(
            "() => document.querySelector('main').contains(document.activeElement)"
        )
        assert inside_main


def test_legal_pages_from_the_footer(live_server, demo_data) -> None:
    pages = {
        "Impressum": "Impressum",
        "Datenschutz": "Datenschutzerklärung",
        "Datenquellen": "Datenquellen",
    }
    with open_page(live_server.url) as (page, _observed):
        page.goto(live_server.url + "/")
        footer = page.get_by_role("navigation", name="Rechtliches und Hilfe")
        for link, heading in pages.items():
            footer.get_by_role("link", name=link, exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            assert_accessible(page)
        # The data source is described in German, with its licence.
        expect(
            page.get_by_role(
                "heading", name="Verwaltungsgrenzen und Einwohnerzahlen der Programmkommunen"
            )
        ).to_be_visible()
        expect(
            page.get_by_role(
                "link", name="Datenlizenz Deutschland – Namensnennung – Version 2.0"
            ).first
        ).to_be_visible()


def test_the_api_docs_page_is_accessible_and_can_try_a_request(live_server, demo_data) -> None:
    """Swagger UI as it comes fails axe-core (no page language, buttons nested in
    buttons, contrast of 1.9 to 3.5:1); kette's page and colours fix that, also
    for an operation opened and tried out."""
    with open_page(live_server.url) as (page, _observed):
        page.goto(live_server.url + "/api/docs")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        operation = page.locator(".opblock-summary-control").first
        expect(operation).to_be_visible()
        assert_accessible(page)
        operation.click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        expect(
            page.locator(".responses-wrapper .response .response-col_status").first
        ).to_have_text(re.compile("200"))
        assert_accessible(page)
