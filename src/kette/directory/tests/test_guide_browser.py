"""Browser test of the family guide: search, filter, markers on the map synchronised
with the list, a detail page; axe-core finds no serious or critical violation; the
CSP blocks nothing (the JSON-LD is data) and nothing loads from elsewhere."""

import shutil

import pytest
from django.conf import settings

from kette.directory.tests.guide_data import SECRET_DRAFT, make_guide_corpus

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed"),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _serious(page):
    result = page.evaluate("async () => await axe.run()")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


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
    axe = (settings.NPM_ROOT / "axe-core" / "axe.min.js").read_text("utf-8")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
        context.add_init_script(axe)
        page = context.new_page()
        requests, console_errors = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on(
            "console",
            lambda message: console_errors.append(message.text) if message.type == "error" else 0,
        )
        failed, page_errors = [], []
        page.on(
            "response",
            lambda r: (
                failed.append(r.url)
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else 0
            ),
        )
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.goto(f"{live_server.url}/k/altstadt/familienwegweiser/")
        page.fill("#id_q", "Beratung Familie")
        page.click(".guide-searchbox button")
        page.wait_for_selector(".guide-item")
        assert page.locator(".guide-item h3").all_inner_texts() == ["Familienberatung Nord"]
        assert SECRET_DRAFT not in page.content()

        # filter: free of charge, no text
        page.fill("#id_q", "")
        page.check("#id_kostenlos")
        page.click("form.guide-form p button")
        page.wait_for_selector(".guide-item")
        assert page.locator(".guide-item h3").all_inner_texts() == [
            "Familienberatung Nord",
            "Straßenfußball",
        ]
        assert "2 Angebote gefunden" in page.inner_text("#ergebnisse")
        # the map shows a marker per place (clustered or not) and the list links to it
        page.wait_for_selector("#guide-map[data-markers-shown='2']")
        assert page.locator("#guide-map .leaflet-marker-icon").count() >= 1
        assert _serious(page) == []
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
        page.wait_for_selector("h1")
        assert page.inner_text("h1") == "Familienberatung Nord"
        assert page.url.endswith(f"/k/altstadt/familienwegweiser/{counselling_pk}/")
        json_ld = page.locator("script[type='application/ld+json']").text_content()
        assert '"@type": "Service"' in json_ld
        page.wait_for_selector("#guide-map .leaflet-marker-icon")
        assert _serious(page) == []
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        assert page.locator("h1").is_visible()

        assert [e for e in console_errors if "Content Security Policy" in e] == []
        assert page_errors == []
        assert failed == []
        assert all(url.startswith(live_server.url) for url in requests)
        assert not context.cookies()
        browser.close()
