"""Gap analysis: hand-computed values on a small world, query count, page and map."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kette.core.models import District, Role
from kette.directory.models import (
    LifePhase,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
)
from kette.directory.tests.factories import (
    LocationFactory,
    OrganizationFactory,
    ServiceFactory,
)
from kette.monitoring import gaps
from kette.monitoring.models import Direction, Indicator, Observation, Unit
from kette.monitoring.tests.factories import (
    DistrictFactory,
    IndicatorFactory,
    NeedIndexWeightFactory,
    ObservationFactory,
)
from kette.testing.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db


def _offer(city, name, low, high, *, district=None, whole=False, area=None, **fields):
    service = ServiceFactory(
        organization=OrganizationFactory(municipality=city),
        name=name,
        min_age_months=low,
        max_age_months=high,
        **fields,
    )
    if district is not None:
        location = LocationFactory(municipality=city, district=district)
        ServiceAtLocation.objects.create(municipality=city, service=service, location=location)
    if whole:
        ServiceArea.objects.create(municipality=city, service=service, district=None)
    if area is not None:
        ServiceArea.objects.create(municipality=city, service=service, district=area)
    return service


@pytest.fixture
def world():
    """Two districts (Nord, Süd), two life phases (0–3, 3–6 years), children
    2012: Nord 200 and 2 (suppressed), Süd 100 and 250."""
    city = MunicipalityFactory(name="Musterstadt", slug="musterstadt")
    nord = DistrictFactory(municipality=city, code="1", name="Nord")
    sued = DistrictFactory(municipality=city, code="2", name="Süd")
    LifePhase.objects.create(
        municipality=city,
        code="fruehe-kindheit",
        name="Frühe Kindheit",
        min_age_months=0,
        max_age_months=36,
        position=1,
    )
    LifePhase.objects.create(
        municipality=city,
        code="kita",
        name="Kita-Alter",
        min_age_months=36,
        max_age_months=72,
        position=2,
    )
    u3 = IndicatorFactory(key="k-0-3", name="Kinder unter 3", unit=Unit.COUNT, age_band="0–3")
    u6 = IndicatorFactory(key="k-3-6", name="Kinder 3 bis 6", unit=Unit.COUNT, age_band="3-6")
    quote = IndicatorFactory(key="quote", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE)
    for district, young, older, rate in [(nord, 200, 2, 30.0), (sued, 100, 250, 10.0)]:
        ObservationFactory(municipality=city, district=district, indicator=u3, value=young)
        ObservationFactory(municipality=city, district=district, indicator=u6, value=older)
        ObservationFactory(municipality=city, district=district, indicator=quote, value=rate)
    NeedIndexWeightFactory(municipality=city, indicator=quote)
    _offer(city, "A Babytreff", 0, 36, district=nord, area=nord)  # counted once
    _offer(city, "B Krabbelgruppe", 24, 48, district=sued)
    _offer(city, "C Familienbüro", 0, 72, whole=True)
    _offer(city, "D Kita-Sprechstunde", 36, 60, area=sued)
    _offer(city, "E Entwurf", 0, 36, whole=True, status=ServiceStatus.DRAFT)
    _offer(city, "F ohne Alter", None, None, whole=True)
    _offer(city, "G Schulkinder", 72, 120, district=nord)
    return city


def _cell(analysis, code, phase):
    return next(
        row for row in analysis.rows if row.district.code == code and row.life_phase.code == phase
    )


def test_hand_computed_values(world):
    analysis = gaps.gap_analysis(world, 2012)
    nord_u3 = _cell(analysis, "1", "fruehe-kindheit")
    assert (nord_u3.children, nord_u3.offers, nord_u3.per_1000) == (200, 2, 10.0)
    nord_kita = _cell(analysis, "1", "kita")
    assert nord_kita.children is None and nord_kita.children_suppressed
    assert (nord_kita.offers, nord_kita.per_1000) == (1, None)
    sued_u3 = _cell(analysis, "2", "fruehe-kindheit")
    assert (sued_u3.children, sued_u3.offers, sued_u3.per_1000) == (100, 2, 20.0)
    sued_kita = _cell(analysis, "2", "kita")
    assert (sued_kita.children, sued_kita.offers, sued_kita.per_1000) == (250, 3, 12.0)
    # Two districts: index ±0.71 standard deviations, both "medium need".
    assert {row.need_status for row in analysis.rows} == {2}
    assert nord_u3.need_label == "mittlerer Bedarf"
    order = [(row.district.code, row.life_phase.code) for row in analysis.priority]
    assert order == [
        ("1", "fruehe-kindheit"),
        ("2", "kita"),
        ("2", "fruehe-kindheit"),
        ("1", "kita"),
    ]


def test_zero_children_give_no_rate(world):
    district = DistrictFactory(municipality=world, code="3", name="Hafen")
    indicator = IndicatorFactory(key="k-0-3-null", unit=Unit.COUNT)
    ObservationFactory(municipality=world, district=district, indicator=indicator, value=0)
    row = gaps.GapRow(
        district=district,
        life_phase=LifePhase.objects.get(code="kita"),
        children=0,
        children_suppressed=False,
        offers=4,
        need_status=None,
        need_label="",
    )
    assert row.per_1000 is None


def test_priority_puts_high_need_first():
    city = MunicipalityFactory.build()
    phase = LifePhase(municipality=city, code="p", name="P", min_age_months=0, max_age_months=36)

    def row(code, status, children, offers):
        district = DistrictFactory.build(municipality=city, code=code)
        return gaps.GapRow(district, phase, children, False, offers, status, "")

    rows = [row("a", 2, 1000, 1), row("b", 4, 1000, 9), row("c", 4, 1000, 3), row("d", None, 10, 0)]
    analysis = gaps.GapAnalysis(2012, "Stadtteil", [phase], [], rows, {})
    assert [r.district.code for r in analysis.priority] == ["c", "b", "a", "d"]


def test_age_bands_tile_the_life_phase():
    assert gaps.band_months("0–3") == (0, 36)
    assert gaps.band_months("unter 15") == (0, 180)
    assert gaps.band_months("5–6") == (60, 72)
    assert gaps.band_months("ab 65") is None
    bands = {(0, 36): "u3", (36, 72): "u6", (72, 120): "u10", (120, 180): "u15"}
    assert gaps.bands_for((0, 72), bands) == ["u3", "u6"]
    assert gaps.bands_for((120, 192), bands) is None
    assert gaps.bands_for((-9, 0), bands) is None


def test_whole_municipality_area_and_parent_districts(world):
    bezirk = DistrictFactory(municipality=world, code="9", name="Bezirk", level="Stadtbezirk")
    teil = DistrictFactory(municipality=world, code="91", name="Teil", parent=bezirk)
    _offer(world, "H im Teil", 0, 12, district=teil)
    _offer(world, "I für den Bezirk", 0, 12, area=bezirk)
    analysis = gaps.gap_analysis(world, 2012, level="Stadtteil")
    # C (whole municipality), H (location), I (area of the containing Bezirk)
    assert _cell(analysis, "91", "fruehe-kindheit").offers == 3
    coarse = gaps.gap_analysis(world, 2012, level="Stadtbezirk")
    assert _cell(coarse, "9", "fruehe-kindheit").offers == 3  # H counts for its Bezirk


def test_constant_number_of_queries(world):
    with CaptureQueriesContext(connection) as small:
        gaps.gap_analysis(world, 2012)
    for n in range(3, 9):
        district = DistrictFactory(municipality=world, code=str(n))
        for key in ("k-0-3", "k-3-6"):  # complete counts: no earlier year to read
            ObservationFactory(
                municipality=world, district=district, indicator=Indicator.objects.get(key=key)
            )
        _offer(world, f"Angebot {n}", 0, 36, district=district, area=district)
    with CaptureQueriesContext(connection) as large:
        analysis = gaps.gap_analysis(world, 2012)
    assert len(analysis.districts) == 8
    assert len(large.captured_queries) == len(small.captured_queries)


def test_page_shows_priority_table_and_map(client, world):
    client.force_login(user_with_role(Role.VIEWER, world))
    url = reverse("monitoring:gaps", args=[world.slug])
    html = client.get(url).content.decode()
    assert "Versorgungsanalyse" in html
    assert "Angebote je 1.000 Kinder" in html
    assert "Frühe Kindheit" in html
    assert '<th scope="row">Nord (1)</th>' in html
    assert "10,0" in html and "20,0" in html
    assert "versorgung.geojson?jahr=2012&amp;lebensphase=fruehe-kindheit" in html
    kita = client.get(url, {"lebensphase": "kita", "jahr": "abc"}).content.decode()
    assert "12,0" in kita
    assert "Kinder 3 bis 6" in kita
    nav = client.get(reverse("monitoring:need_index", args=[world.slug])).content.decode()
    assert url in nav
    # where the outlines come from, below the map and in its GeoJSON
    assert "map-source" not in html
    District.objects.filter(municipality=world).update(outline_source="© Stadt Musterstadt")
    html = client.get(url).content.decode()
    assert re.search(r'class="map-source">\s*Umrisse:\s*© Stadt Musterstadt', html)
    geojson = client.get(reverse("monitoring:gaps_geojson", args=[world.slug])).json()
    assert geojson["attribution"] == "© Stadt Musterstadt"


def test_geojson_carries_map_classes(client, world):
    client.force_login(user_with_role(Role.VIEWER, world))
    url = reverse("monitoring:gaps_geojson", args=[world.slug])
    data = client.get(url, {"jahr": "2012", "lebensphase": "fruehe-kindheit"}).json()
    props = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    # Nord has fewer offers per 1,000 children than Süd: the darker class.
    assert props["1"]["map_class"] > props["2"]["map_class"]
    assert props["1"]["map_label"] == "10,0"


def test_page_without_child_counts(client):
    empty = MunicipalityFactory()
    client.force_login(user_with_role(Role.VIEWER, empty))
    html = client.get(reverse("monitoring:gaps", args=[empty.slug])).content.decode()
    assert "Noch keine Kinderzahlen nach Altersgruppen" in html


@pytest.mark.parametrize("name", ["gaps", "gaps_geojson"])
def test_outsiders_are_kept_out(client, world, name):
    url = reverse(f"monitoring:{name}", args=[world.slug])
    assert client.get(url).status_code == 302
    client.force_login(user_with_role(Role.COORDINATOR, MunicipalityFactory()))
    assert client.get(url).status_code == 403


def test_location_without_district_is_placed_by_coordinates(world):
    sued = District.objects.get(municipality=world, code="2")
    lon, lat = sued.boundary["coordinates"][0][0]
    service = ServiceFactory(
        organization=OrganizationFactory(municipality=world), min_age_months=0, max_age_months=12
    )
    location = LocationFactory(
        municipality=world, district=None, latitude=lat + 0.005, longitude=lon + 0.005
    )
    ServiceAtLocation.objects.create(municipality=world, service=service, location=location)
    analysis = gaps.gap_analysis(world, 2012)
    assert _cell(analysis, "2", "fruehe-kindheit").offers == 3  # B, C and the new one
    assert _cell(analysis, "1", "fruehe-kindheit").offers == 2


def test_map_classes_keep_equal_rates_together(world):
    analysis = gaps.gap_analysis(world, 2012)
    phase = analysis.life_phases[0]
    rows = analysis.for_phase(phase)
    classes = gaps.map_classes(rows)
    assert classes[rows[0].district.pk] == (4, "10,0 – 10,0")
    assert classes[rows[1].district.pk] == (2, "20,0 – 20,0")
    for row in rows:
        row.offers = 0
    assert {klass for klass, _range in gaps.map_classes(rows).values()} == {4}


# All municipalities at once ------------------------------------------------------------


def _generated_city(rng, name, u3, u6, rate, *, own_band=False):
    """Two Stadtbezirke of three Stadtteile each, the municipality's totals, child
    counts (some small: suppressed) and a rate with numerators (some small) in 2012
    and 2010, and random offers in, for and across the districts."""
    city = MunicipalityFactory(name=name)
    for position, (code, low, high) in enumerate([("u3", 0, 36), ("kita", 36, 72), ("x", 6, 40)]):
        LifePhase.objects.create(
            municipality=city,
            code=code,
            name=code,
            min_age_months=low,
            max_age_months=high,
            position=position,
        )
    if own_band:  # the municipality's own 0–3 count wins over the standard one
        u3 = IndicatorFactory(municipality=city, key="eigene-u3", unit=Unit.COUNT, age_band="0-3")
    leaves = []
    for b in range(2):
        bezirk = DistrictFactory(municipality=city, code=f"{b}", level="Stadtbezirk")
        for t in range(3):
            leaves.append(
                DistrictFactory(municipality=city, code=f"{b}{t}", level="Stadtteil", parent=bezirk)
            )
    for year in (2010, 2012):
        for indicator in (u3, u6):
            counts = [rng.choice([0, 1, 2, 40, 80, 150]) for _leaf in leaves]
            for leaf, count in zip(leaves, counts, strict=True):
                ObservationFactory(
                    municipality=city, district=leaf, indicator=indicator, year=year, value=count
                )
            bezirke = {}
            for leaf, count in zip(leaves, counts, strict=True):
                bezirke[leaf.parent] = bezirke.get(leaf.parent, 0) + count
            for bezirk, total in bezirke.items():
                ObservationFactory(
                    municipality=city, district=bezirk, indicator=indicator, year=year, value=total
                )
            ObservationFactory(
                municipality=city, district=None, indicator=indicator, year=year, value=sum(counts)
            )
        for leaf in leaves:
            numerator = rng.choice([1, 2, 30, 60, 90])
            ObservationFactory(
                municipality=city,
                district=leaf,
                indicator=rate,
                year=year,
                value=numerator / 3,
                numerator=numerator,
                denominator=300,
            )
    NeedIndexWeightFactory(municipality=city, indicator=rate, weight=2)
    NeedIndexWeightFactory(municipality=city, indicator=u3, weight=1)
    for n in range(8):
        low = rng.choice([None, 0, 12, 36])
        high = rng.choice([None, 48, 120]) if low else rng.choice([None, 24, 48, 120])
        where = rng.choice(["location", "area", "whole", "bezirk"])
        district = rng.choice(leaves)
        _offer(
            city,
            f"{name} {n}",
            low,
            high,
            district=district if where == "location" else None,
            area=district if where == "area" else district.parent if where == "bezirk" else None,
            whole=where == "whole",
        )
    return city


def _rows(analysis):
    return [
        (
            row.district.pk,
            row.life_phase.pk,
            row.children,
            row.children_suppressed,
            row.offers,
            row.need_status,
            row.need_label,
            [i.pk for i in row.indicators],
        )
        for row in analysis.rows
    ]


def test_gap_analyses_of_many_municipalities_equal_each_gap_analysis():
    import random

    from kette.monitoring import selectors

    rng = random.Random(6)
    u3 = IndicatorFactory(key="u3", unit=Unit.COUNT, age_band="0–3")
    u6 = IndicatorFactory(key="u6", unit=Unit.COUNT, age_band="3–6")
    rate = IndicatorFactory(key="quote", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE)
    cities = [_generated_city(rng, f"Stadt {n}", u3, u6, rate, own_band=n == 1) for n in range(4)]
    empty = MunicipalityFactory(name="Leer")  # no districts, phases or weights
    everything = gaps.gap_analyses([*cities, empty], 2012)
    need = selectors.need_indexes([*cities, empty], 2012)
    suppressed = 0
    for city in cities:
        single = gaps.gap_analysis(city, 2012)
        batch = everything[city.pk]
        assert (batch.level, batch.life_phases, batch.districts) == (
            single.level,
            single.life_phases,
            single.districts,
        )
        assert batch.bands == single.bands
        assert _rows(batch) == _rows(single)
        suppressed += sum(row.children_suppressed for row in batch.rows)
        assert all(row.children is None for row in batch.rows if row.children_suppressed)
        alone = selectors.need_index(city, 2012)
        assert need[city.pk].rows == alone.rows
        assert need[city.pk].earlier_year == alone.earlier_year == 2010
    # Suppression was applied (small counts and numerators were generated), and
    # the districts were ranked where nothing was hidden.
    assert suppressed > 0
    assert any(row.result is None for index in need.values() for row in index.rows)
    assert any(row.result is not None for index in need.values() for row in index.rows)
    assert everything[empty.pk].rows == [] and need[empty.pk].rows == []
    # The own band indicator was chosen where the municipality has one.
    own = everything[cities[1].pk]
    assert [i.key for i in own.bands[own.life_phases[0].pk]] == ["eigene-u3"]
    assert {row.offers for row in own.rows} != {0}


def test_gap_analyses_take_the_same_queries_for_more_municipalities(django_assert_num_queries):
    import random

    rng = random.Random(7)
    u3 = IndicatorFactory(key="u3", unit=Unit.COUNT, age_band="0–3")
    u6 = IndicatorFactory(key="u6", unit=Unit.COUNT, age_band="3–6")
    rate = IndicatorFactory(key="quote", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE)
    cities = [_generated_city(rng, f"Stadt {n}", u3, u6, rate) for n in range(3)]
    # Districts; weights, their indicators, observations (need index); life phases,
    # band indicators, their observations; offers, their locations, their areas.
    # (No age bands could tile the life phase "x": no earlier year is looked at.)
    with django_assert_num_queries(10):
        gaps.gap_analyses(cities[:1], 2012)
    with django_assert_num_queries(10):
        gaps.gap_analyses(cities, 2012)


def _counts(city, key, year, values):
    """Child counts of the band `key` in `year` ({district code: count})."""
    indicator = Indicator.objects.get(key=key)
    for code, value in values.items():
        district = District.objects.get(municipality=city, code=code)
        ObservationFactory(
            municipality=city, district=district, indicator=indicator, year=year, value=value
        )


def test_each_life_phase_takes_its_own_latest_complete_year(world):
    """An office delivers the under-3s for 2014 first: early childhood moves to 2014,
    Kita age stays with 2012; a partial delivery for 2015 is left aside, and said so."""
    _counts(world, "k-0-3", 2014, {"1": 300, "2": 150})
    _counts(world, "k-0-3", 2015, {"1": 999})  # one of two districts so far
    analysis = gaps.gap_analysis(world, 2015, need_year=gaps.need_year(world, 2015))
    phases = {p.code: p for p in analysis.life_phases}
    assert analysis.phase_years == {
        phases["fruehe-kindheit"].pk: 2014,
        phases["kita"].pk: 2012,
    }
    assert _cell(analysis, "1", "fruehe-kindheit").children == 300
    assert _cell(analysis, "2", "fruehe-kindheit").children == 150
    assert _cell(analysis, "2", "kita").children == 250  # 2012, not dropped
    assert analysis.data_years == [2012, 2014]
    [(phase, newer)] = analysis.newer_left_aside
    assert phase.code == "fruehe-kindheit"
    assert newer == gaps.NewerFigures(year=2015, districts=1, used_year=2014, used_districts=2)
    # need classes from the latest need index up to the year (2012 here); without
    # one of the year itself, none
    assert gaps.need_year(world, 2015) == 2012
    assert analysis.need_year == 2012
    assert {row.need_status for row in analysis.rows} == {2}
    assert gaps.gap_analysis(world, 2015).need_year is None
    # the year is an upper bound: up to 2013 early childhood has 2012's counts
    earlier = gaps.gap_analysis(world, 2013)
    assert set(earlier.phase_years.values()) == {2012} and not earlier.newer
    assert _cell(earlier, "1", "fruehe-kindheit").children == 200
    # once 2015 is complete it is used
    Observation.objects.filter(year=2015).delete()
    _counts(world, "k-0-3", 2015, {"1": 310, "2": 160})
    complete = gaps.gap_analysis(world, 2015)
    assert _cell(complete, "2", "fruehe-kindheit").children == 160 and not complete.newer


def test_the_batch_picks_the_same_years_as_each_single_analysis(world):
    _counts(world, "k-0-3", 2014, {"1": 300, "2": 150})
    other = MunicipalityFactory(name="Anderstadt", slug="anderstadt")
    DistrictFactory(municipality=other, code="1", name="Mitte")
    LifePhase.objects.create(
        municipality=other, code="kita", name="Kita", min_age_months=36, max_age_months=72
    )
    _counts(other, "k-3-6", 2013, {"1": 80})
    both = gaps.gap_analyses([world, other], 2014)
    for city in (world, other):
        single = gaps.gap_analysis(city, 2014)
        assert both[city.pk].phase_years == single.phase_years
        assert _rows(both[city.pk]) == _rows(single)
    assert set(both[other.pk].phase_years.values()) == {2013}


def test_page_and_report_say_which_year_each_life_phase_uses(client, world):
    from kette.reports import services as reports

    _counts(world, "k-0-3", 2014, {"1": 300, "2": 150})
    _counts(world, "k-0-3", 2015, {"1": 999})
    client.force_login(user_with_role(Role.COORDINATOR, world))
    html = client.get(reverse("monitoring:gaps", args=[world.slug])).content.decode()
    text = " ".join(html.split())
    assert "Kinderzahlen von 2014: Frühe Kindheit; Kinderzahlen von 2012: Kita-Alter." in text
    assert "Bedarfsklassen aus dem Bedarfsindex 2012." in text
    note = (
        "Frühe Kindheit: Die Zahlen von 2015 decken 1 der 2 Sozialräume ab, für die es "
        "Zahlen von 2014 gibt; bis 2015 vollständig ist, gelten die Zahlen von 2014."
    )
    assert note in text
    report = reports.report_open(actor=None, municipality=world, year=2016)
    url = reverse("reports:report_preview", args=[world.slug, 2016])
    preview = " ".join(client.get(url).content.decode().split())
    assert "Kinderzahlen von 2014: Frühe Kindheit; Kinderzahlen von 2012: Kita-Alter." in preview
    assert note in preview
    assert report.year == 2016
