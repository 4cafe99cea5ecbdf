"""Browser test: the need index map draws every district beside its table, and the
monitoring pages pass axe-core without serious or critical violations."""

import json

import pytest
from django.conf import settings
from django.test import Client

from kette.core.models import District, Role
from kette.monitoring import services, tables
from kette.monitoring.demo import DATA
from kette.monitoring.models import Direction, Unit
from kette.monitoring.tests.factories import (
    IndicatorFactory,
    NeedIndexWeightFactory,
    ObservationFactory,
)
from kette.testing.browser import browser_skip_reason
from kette.testing.factories import MunicipalityFactory, user_with_role

if reason := browser_skip_reason():
    pytest.skip(reason, allow_module_level=True)

from kette.testing.browser import assert_accessible, open_page

pytestmark = pytest.mark.browser

# with markup that must stay text in Leaflet's attribution (typed by coordinators)
OUTLINE_SOURCE = "© OpenStreetMap contributors <b>(ODbL)</b>"


@pytest.fixture
def koeln_session(transactional_db):
    koeln = MunicipalityFactory(name="Köln", slug="koeln", official_key="05315000")
    for name, level, parent in [
        ("koeln_stadtbezirke_osm.geojson", "Stadtbezirk", None),
        ("koeln_stadtteile_osm.geojson", "Stadtteil", "Stadtbezirk"),
    ]:
        services.districts_import(
            actor=None,
            municipality=koeln,
            collection=json.loads((DATA / name).read_text("utf-8")),
            code_property="ref",
            name_property="name",
            level=level,
            parent_level=parent,
            source=OUTLINE_SOURCE,
        )
    share = IndicatorFactory(key="anteil", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE)
    teile = list(District.objects.for_municipality(koeln).filter(level="Stadtteil"))
    for number, district in enumerate(teile):
        ObservationFactory(
            municipality=koeln, district=district, indicator=share, value=float(number % 40)
        )
    NeedIndexWeightFactory(municipality=koeln, indicator=share)
    children = IndicatorFactory(key="kinder", unit=Unit.COUNT)
    for number, district in enumerate(teile):
        # One district with a single child: suppressed, hatched on the map.
        ObservationFactory(
            municipality=koeln,
            district=district,
            indicator=children,
            value=1 if number == 0 else 50 + number,
        )
    # Köln's row in the public NRW-wide comparison.
    IndicatorFactory(key="mindestsicherungsquote", name="Mindestsicherungsquote", unit=Unit.PERCENT)
    services.observations_import_itnrw(
        actor=None,
        regional=tables.read_itnrw(
            "Tabelle: 22811-01i\n;;2023\n05;Nordrhein-Westfalen;11,1\n"
            "05315;    Köln, krfr. Stadt;13,9\n05112;    Duisburg, krfr. Stadt;17,0\n".encode(
                "latin-1"
            )
        ),
        indicator_key="mindestsicherungsquote",
    )
    client = Client()
    client.force_login(user_with_role(Role.COORDINATOR, koeln))
    return koeln, client.cookies[settings.SESSION_COOKIE_NAME].value, len(teile)


def test_need_index_map_table_and_accessibility(koeln_session, live_server):
    _koeln, session, district_count = koeln_session
    with open_page(live_server.url) as (page, _observed):
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/k/koeln/monitoring/bedarfsindex/")
        page.wait_for_selector(".district-map path.leaflet-interactive")
        assert page.locator(".district-map path.leaflet-interactive").count() == district_count
        assert page.locator("table tbody tr").count() >= district_count
        # the outlines' source on the map and below it, as text
        attribution = page.locator(".district-map .leaflet-control-attribution")
        assert OUTLINE_SOURCE in attribution.inner_text()
        assert attribution.locator("b").count() == 0
        assert OUTLINE_SOURCE in page.locator("figcaption .map-source").inner_text()
        assert_accessible(page)
        for path in ("/k/koeln/monitoring/", "/k/koeln/monitoring/indikatoren/"):
            page.goto(live_server.url + path)
            assert_accessible(page)
        # The indicator map: every district drawn, the suppressed one hatched.
        page.goto(f"{live_server.url}/k/koeln/monitoring/karte/?indikator=kinder&methode=stddev")
        page.wait_for_selector(".district-map path.leaflet-interactive")
        paths = page.locator(".district-map path.leaflet-interactive")
        assert paths.count() == district_count
        fills = [paths.nth(i).get_attribute("fill") for i in range(paths.count())]
        assert fills.count("url(#kette-hatch)") == 1
        assert page.locator(".choropleth-table tbody tr").count() >= district_count
        assert_accessible(page)
        # The shapes are out of the tab order (Chromium made each a nameless
        # stop), the zoom buttons speak German, tooltips are text.
        assert page.locator(".district-map path.leaflet-interactive[tabindex='-1']").count() == (
            district_count
        )
        assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Vergrößern"
        paths.first.hover()
        tooltip = page.locator(".leaflet-tooltip")
        assert tooltip.count() == 1 and tooltip.locator("*").count() == 0
        # Sorting the table by value works without JavaScript, through the header link.
        page.get_by_role("link", name="Wert", exact=True).click()
        # click() returns once the navigation started: wait for the new URL
        page.wait_for_url(lambda url: "sortierung=value" in url)
        assert_accessible(page)
        code = page.locator(".choropleth-table tbody tr td").first.inner_text()
        page.goto(f"{live_server.url}/k/koeln/monitoring/sozialraum/{code}/")
        assert page.locator("svg.line-chart").count() == 2
        assert_accessible(page)
        page.goto(f"{live_server.url}/k/koeln/monitoring/karte/?indikator=kinder&druck=1")
        assert page.locator("svg.map path").count() == district_count
        assert_accessible(page)
        # The coordination office's NRW-wide comparison (public).
        page.goto(f"{live_server.url}/programm/monitoring/vergleich/")
        assert page.locator("table").get_by_text("Köln").count() >= 1
        assert_accessible(page)
    # open_page fails the test on any request to another host (no tiles, no CDN).
