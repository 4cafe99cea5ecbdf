"""Browser test: a coordinator writes a goal, previews the report and generates the
PDF with the keyboard-reachable buttons; the pages pass axe-core."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from kette.core.models import Role
from kette.reports.models import GeneratedReport
from kette.testing.browser import browser_skip_reason
from kette.testing.factories import MunicipalityFactory, user_with_role

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.testing.browser import assert_accessible, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_goal_preview_and_generate_pdf(live_server) -> None:
    city = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    client = Client()
    client.force_login(user_with_role(Role.COORDINATOR, city))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with open_page(live_server.url) as (page, _observed):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/k/musterstadt/sachbericht/")
        assert_accessible(page)
        page.get_by_label("Jahr").fill("2025")
        page.get_by_role("button", name="Bericht öffnen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sachbericht 2025 – Musterstadt")
        assert_accessible(page)
        goal = page.get_by_role("group", name="Ziel 1 (neu)")
        goal.get_by_label(re.compile(r"^Ziel")).fill("Willkommensbesuche ausbauen")
        goal.get_by_label("geplant").fill("200")
        goal.get_by_label("erreicht").fill("150")
        page.get_by_role("textbox", name="Leitbild:", exact=True).fill("Kein Kind zurücklassen.")
        page.get_by_role("button", name="Entwurf speichern").click()
        expect(page.get_by_role("status")).to_contain_text("Der Entwurf wurde gespeichert.")
        page.get_by_role("link", name="Den ganzen Bericht ansehen").click()
        expect(page.get_by_role("table", name="Ziele 2025 mit ihren Indikatoren")).to_contain_text(
            "75 %"
        )
        assert_accessible(page)
        page.go_back()
        with page.expect_download() as download:
            page.get_by_role("button", name="PDF erzeugen").click()
        assert download.value.suggested_filename.startswith("sachbericht-musterstadt-2025-")
    assert GeneratedReport.objects.filter(report__municipality=city).count() == 1
