"""Browser test of the family guide: search, filter, markers on the map synchronised
with the list, a detail page; axe-core finds no serious or critical violation; the
CSP blocks nothing (the JSON-LD is data) and nothing loads from elsewhere."""

import pytest

from kette.directory.tests.guide_data import SECRET_DRAFT, make_guide_corpus
from kette.testing.browser import browser_skip_reason

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import expect

from kette.testing.browser import assert_accessible, open_page

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_search_filter_map_and_detail(transactional_db, live_server):
    from kette.core.models import Programme

    # Django ORM work first: Django refuses sync DB calls while Playwright runs.
    programme = Programme.objects.create(name="Programm", slug="programm")
    from kette.testing.factories import MunicipalityFactory
    from kette.testing.tenancy import World

    world = World(
        programme=programme,
        a=MunicipalityFactory(programme=programme, name="Altstadt", slug="altstadt"),
        b=MunicipalityFactory(programme=programme, name="Bergdorf", slug="bergdorf"),
    )
    corpus = make_guide_corpus(world)
    counselling_pk = corpus["counselling"].pk

    with open_page(live_server.url, viewport=PHONE) as (page, _observed):
        failed: list[str] = []
        page.on(
            "response",
            lambda r: (
                failed.append(r.url)
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else 0
            ),
        )
        page.goto(f"{live_server.url}/k/altstadt/familienwegweiser/")
        page.fill("#id_q", "Beratung Familie")
        page.click(".guide-searchbox button")
        # (a click returns once the navigation has started: wait for the results page)
        page.wait_for_url(lambda url: "q=Beratung" in url)
        assert page.locator(".guide-item h3").all_inner_texts() == ["Familienberatung Nord"]
        assert SECRET_DRAFT not in page.content()
        # On a phone the results lay three screens below the search box; the
        # page now opens at them.
        assert page.url.endswith("#ergebnisse")
        expect(page.locator("#ergebnisse")).to_be_in_viewport()

        # filter: free of charge, no text
        page.fill("#id_q", "")
        page.check("#id_kostenlos")
        page.click("form.guide-form p button")
        page.wait_for_url(lambda url: "kostenlos=" in url)
        assert page.locator(".guide-item h3").all_inner_texts() == [
            "Familienberatung Nord",
            "Straßenfußball",
        ]
        assert "2 Angebote gefunden" in page.inner_text("#ergebnisse")
        # a heading for screen readers too (role="status" sits on a wrapper)
        assert page.get_by_role("heading", level=2, name="2 Angebote gefunden").count() == 1
        # the map shows a marker per place (clustered or not) and the list links to it
        page.wait_for_selector("#guide-map[data-markers-shown='2']")
        assert page.locator("#guide-map .leaflet-marker-icon").count() >= 1
        assert_accessible(page)
        page.click("[data-marker] >> nth=1")
        page.wait_for_selector(".leaflet-popup-content a")
        assert page.locator(".guide-item.is-highlighted h3").inner_text() == "Straßenfußball"

        # a marker click highlights its list item
        page.locator(".leaflet-popup-close-button").click()
        page.goto(f"{live_server.url}/k/altstadt/familienwegweiser/?q=Familienberatung")
        page.wait_for_selector("#guide-map[data-markers-shown='1']")
        page.locator("#guide-map .leaflet-marker-icon").first.click()
        page.wait_for_selector(f"#angebot-{counselling_pk}.is-highlighted")

        # the detail page
        page.click(f"#angebot-{counselling_pk} h3 a")
        # (a click returns once the navigation has started; the list page has an h1 too)
        page.wait_for_url(f"**/k/altstadt/familienwegweiser/{counselling_pk}/")
        assert page.inner_text("h1") == "Familienberatung Nord"
        json_ld = page.locator("script[type='application/ld+json']").text_content()
        assert '"@type": "Service"' in json_ld
        page.wait_for_selector("#guide-map .leaflet-marker-icon")
        assert_accessible(page)
        # on a narrow screen a long compound in the heading breaks rather than
        # widening the page
        page.set_viewport_size({"width": 320, "height": 700})
        page.evaluate(
            "document.querySelector('h1').textContent = "
            "'Gemeinschaftsgrundschulnachmittagsbetreuungsangebot'"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        assert page.locator("h1").is_visible()

        assert failed == []
        assert not page.context.cookies()
