"""Browser test: the steering-structure and network pages of the Köln demo in Debian's
Chromium (Playwright), each checked with axe-core. Database work happens before the
browser opens (Playwright's event loop and Django's ORM do not mix in one thread)."""

from __future__ import annotations

import re

import pytest

from kette.core import demo
from kette.network.demo import load_network_demo
from kette.testing.browser import browser_skip_reason

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from kette.testing.browser import assert_accessible, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_structure_and_network_pages_of_the_koeln_demo(live_server, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load_core(lambda text: None)
    load_network_demo(lambda text: None)
    with open_page(live_server.url) as (page, _observed):
        page.goto(live_server.url + "/konto/anmelden/?next=/k/koeln/netzwerk/")
        page.get_by_label("Benutzername").fill("lesen-koeln")
        page.get_by_label("Passwort").fill(demo.DEMO_PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Anmelden").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Steuerungsstruktur in Köln")
        expect(page.get_by_role("heading", name="Lenkungskreis Präventionskette")).to_be_visible()
        expect(page.get_by_role("img", name="Baumdiagramm der Steuerungsstruktur")).to_be_visible()
        assert_accessible(page)

        nav = page.get_by_role("navigation", name="Netzwerk und Steuerung")
        nav.get_by_role("link", name="Kooperationsnetzwerk").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kooperationsnetzwerk in Köln")
        nodes = page.get_by_role("table", name="Organisationen mit ihren Kennzahlen")
        expect(nodes.locator("tbody tr")).to_have_count(25)
        page.get_by_label("schriftliche Vereinbarung").check()
        page.get_by_role("button", name="Filter anwenden").click()
        edges = page.get_by_role("table", name="Kooperationen zwischen Organisationen")
        expect(edges.locator("tbody tr").first).to_contain_text("schriftliche Vereinbarung")
        expect(edges).not_to_contain_text("informeller Austausch")
        assert_accessible(page)

        nav.get_by_role("link", name="Personen").click()
        expect(page.get_by_role("table", name="Personen in ihrer Funktion")).to_contain_text(
            "Erika Beispiel"
        )
        assert_accessible(page)


def _log_in(page: Page, base: str, username: str, target: str) -> None:
    page.goto(f"{base}/konto/anmelden/?next={target}")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(demo.DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Anmelden").click()


def test_editing_forms_and_the_programme_comparison(live_server, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load_core(lambda text: None)
    load_network_demo(lambda text: None)
    for username, check in (
        ("koordination-koeln", _create_a_body),
        ("lks", _compare_municipalities),
    ):
        with open_page(live_server.url) as (page, _observed):
            check(page, live_server.url, username)


def _create_a_body(page: Page, base: str, username: str) -> None:
    _log_in(page, base, username, "/k/koeln/netzwerk/")
    page.get_by_role("link", name="Gremium anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neues Gremium")
    assert_accessible(page)
    main = page.get_by_role("main")
    main.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Name")  # the error summary
    assert_accessible(page)
    main.get_by_label(re.compile(r"^Name:?$")).fill("AG Gesundes Aufwachsen")
    main.get_by_label(re.compile(r"^Art:?$")).select_option(label="Arbeitsgruppe")
    main.get_by_label("Sitzungsrhythmus").fill("monatlich")
    main.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gremium bearbeiten")
    expect(page.get_by_role("table")).to_contain_text("Das Gremium hat noch keine Mitglieder.")
    assert_accessible(page)
    page.get_by_role("link", name="Mitglied hinzufügen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitglied hinzufügen")
    assert_accessible(page)


def _compare_municipalities(page: Page, base: str, username: str) -> None:
    _log_in(page, base, username, "/programm/netzwerke/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Steuerung und Netzwerke im Vergleich"
    )
    table = page.get_by_role("table")
    expect(table).to_contain_text("Köln")
    expect(table).to_contain_text("Lenkungskreis Präventionskette")
    table.get_by_role("link", name="Dichte").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Dichte")
    assert_accessible(page)
