"""Browser test: a provider adds a place and opening hours to its offer from the
edit page with the keyboard-reachable forms; the page passes axe-core."""

from __future__ import annotations

import re

import pytest

from kette.core.models import Role
from kette.directory import services
from kette.testing.browser import browser_skip_reason, session_cookie
from kette.testing.factories import MunicipalityFactory, user_with_role

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.testing.browser import assert_accessible, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_adds_a_place_and_opening_hours(live_server) -> None:
    services.taxonomy_ensure_defaults()  # a transactional test before may have flushed them
    city = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    provider = user_with_role(Role.PROVIDER, city)
    organization = services.organization_create(actor=None, municipality=city, name="Turnverein")
    services.provider_access_grant(actor=None, user=provider, organization=organization)
    offer = services.service_create(actor=None, organization=organization, name="Babyturnen")
    cookie = session_cookie(provider, live_server.url)
    with open_page(live_server.url) as (page, _observed):
        page.context.add_cookies([cookie])
        page.goto(f"{live_server.url}/k/musterstadt/angebote/{offer.pk}/bearbeiten/")
        page.get_by_role("link", name="Orte, Öffnungszeiten und Telefonnummern").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Orte und Zeiten von „Babyturnen“"
        )
        assert_accessible(page)
        page.get_by_label("Straße und Hausnummer").fill("Turnhallenweg 3")
        page.get_by_label("Postleitzahl").fill("50667")
        page.get_by_label(re.compile(r"^Ort:?$")).fill("Köln")
        page.get_by_label("stufenloser Zugang").check()
        page.get_by_role("button", name="Ort hinzufügen").click()
        expect(page.get_by_role("status")).to_contain_text("Der Ort wurde hinzugefügt.")
        expect(page.get_by_role("table", name="Orte des Angebots")).to_contain_text(
            "stufenloser Zugang"
        )
        page.get_by_label("Wochentag").select_option(label="Mittwoch")
        page.get_by_label(re.compile(r"^von:?$")).fill("15:00")
        page.get_by_label(re.compile(r"^bis:?$")).fill("14:00")
        page.get_by_role("button", name="Öffnungszeit hinzufügen").click()
        expect(page.get_by_role("alert")).to_contain_text("Das Ende muss nach dem Beginn liegen.")
        # the summary has the focus and is in view (far down the page on a phone)
        expect(page.locator(".error-summary")).to_be_focused()
        expect(page.locator(".error-summary")).to_be_in_viewport()
        assert_accessible(page)
        page.get_by_label(re.compile(r"^bis:?$")).fill("16:30")
        page.get_by_role("button", name="Öffnungszeit hinzufügen").click()
        hours = page.get_by_role("listitem").filter(has_text="Mittwoch 15:00–16:30")
        expect(hours).to_be_visible()
        assert_accessible(page)
        # Removing asks first (a disclosure, no script), and the keyboard can do it.
        remove = hours.locator("summary")
        expect(remove).to_have_text(re.compile(r"Entfernen\s*: Mittwoch 15:00–16:30"))
        remove.focus()
        page.keyboard.press("Enter")
        question = page.get_by_text("„Mittwoch 15:00–16:30“ von diesem Angebot entfernen?")
        expect(question).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Ja, entfernen").first.click()
        expect(page.get_by_role("status")).to_contain_text("Entfernt.")
        expect(page.get_by_text("Keine Öffnungszeiten angegeben.")).to_be_visible()
        # On a phone the page does not scroll sideways (the places table scrolls alone).
        page.set_viewport_size({"width": 375, "height": 740})
        page.reload()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width
        assert_accessible(page)
