"""Browser test: with review switched on, a provider's change of a published offer
waits; the coordinator reviews and approves it on the review page. The pages
(offer form with the notice, review list and page, providers, vocabulary) pass
axe-core."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from kette.core.models import Role
from kette.directory import freshness, services
from kette.directory.models import ServiceStatus
from kette.testing.browser import browser_skip_reason
from kette.testing.factories import MunicipalityFactory, user_with_role

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.testing.browser import assert_accessible, open_page

NAME = re.compile(r"^Name:?$")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_providers_change_is_reviewed_and_approved(live_server) -> None:
    services.taxonomy_ensure_defaults()  # a transactional test before may have flushed them
    city = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    freshness.directory_settings_update(actor=None, municipality=city, review_provider_changes=True)
    provider = user_with_role(Role.PROVIDER, city, username="traeger")
    coordinator = user_with_role(Role.COORDINATOR, city, username="koordination")
    organization = services.organization_create(actor=None, municipality=city, name="Turnverein")
    services.provider_access_grant(actor=None, user=provider, organization=organization)
    offer = services.service_create(
        actor=None, organization=organization, name="Babyturnen", status=ServiceStatus.PUBLISHED
    )
    base = live_server.url
    # Sessions before the browser starts (no database calls inside its event loop).
    provider_session, coordinator_session = _session(provider), _session(coordinator)
    with open_page(base) as (page, _observed):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": provider_session, "url": base}]
        )
        page.goto(f"{base}/k/musterstadt/angebote/{offer.pk}/bearbeiten/")
        page.get_by_label(NAME).fill("Eltern-Kind-Turnen")
        page.get_by_role("button", name="Speichern", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("zur Prüfung weitergegeben")
        expect(page.get_by_role("heading", name="Eine Änderung wartet auf Prüfung")).to_be_visible()
        expect(page.get_by_label(NAME)).to_have_value("Eltern-Kind-Turnen")
        assert_accessible(page)

        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": coordinator_session, "url": base}]
        )
        page.goto(f"{base}/k/musterstadt/angebote/aenderungen/")
        assert_accessible(page)
        page.get_by_role("link", name="Babyturnen").click()
        table = page.get_by_role("table", name="Was sich ändern würde")
        expect(table).to_contain_text("Babyturnen")
        expect(table).to_contain_text("Eltern-Kind-Turnen")
        assert_accessible(page)
        page.get_by_role("button", name="Freigeben und veröffentlichen").click()
        expect(page.get_by_role("status")).to_contain_text("freigegeben")
        expect(page.get_by_text("Keine Änderung wartet.")).to_be_visible()

        page.goto(f"{base}/k/musterstadt/familienwegweiser/{offer.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Eltern-Kind-Turnen")

        page.goto(f"{base}/k/musterstadt/traeger/")
        expect(page.get_by_role("table", name="Träger")).to_contain_text("Turnverein")
        assert_accessible(page)
        page.goto(f"{base}/k/musterstadt/angebote/begriffe/")
        page.get_by_label(NAME).fill("Medienkompetenz")
        page.get_by_role("button", name="Begriff hinzufügen").click()
        expect(page.get_by_role("link", name="Medienkompetenz")).to_be_visible()
        assert_accessible(page)
