"""Disclosure control: primary and secondary suppression, in the pure algorithm and
through the selectors every page and export uses."""

import pytest

from kette.monitoring import disclosure, selectors
from kette.monitoring.models import Unit
from kette.monitoring.tests.factories import DistrictFactory, IndicatorFactory, ObservationFactory
from kette.testing.factories import MunicipalityFactory


def _cells(**counts):
    return {key: disclosure.Cell(key, value, value) for key, value in counts.items()}


def _hidden(cells):
    return {key: cell.suppressed for key, cell in cells.items() if cell.suppressed}


@pytest.mark.parametrize(("count", "small"), [(0, False), (1, True), (2, True), (3, False)])
def test_primary_threshold_three(count, small):
    assert disclosure.is_small(count, 3) is small


def test_one_small_cell_takes_the_smallest_other_part_with_it():
    cells = _cells(total=60, a=2, b=10, c=20, d=28)
    disclosure.suppress(cells, [("total", ["a", "b", "c", "d"])], 3)
    assert _hidden(cells) == {"a": "primary", "b": "secondary"}
    # total − visible parts = a + b = 12: no single cell and no small sum comes back.
    visible = sum(c.count for k, c in cells.items() if k not in ("total", "a", "b"))
    assert cells["total"].count - visible == 12


def test_two_small_cells_whose_sum_is_still_small_take_a_third():
    cells = _cells(total=41, a=1, b=1, c=9, d=30)
    disclosure.suppress(cells, [("total", ["a", "b", "c", "d"])], 3)
    # a + b = 2 would reveal that both are 1.
    assert _hidden(cells) == {"a": "primary", "b": "primary", "c": "secondary"}


def test_two_small_cells_with_a_safe_sum_stay_two():
    cells = _cells(total=44, a=2, b=2, c=10, d=30)
    disclosure.suppress(cells, [("total", ["a", "b", "c", "d"])], 3)
    assert _hidden(cells) == {"a": "primary", "b": "primary"}


def test_zero_cells_do_not_protect_and_the_total_goes_when_nothing_else_is_left():
    cells = _cells(total=2, a=2, b=0)
    cells["total"].count = None  # a rate without a count: not small itself
    disclosure.suppress(cells, [("total", ["a", "b"])], 3)
    assert _hidden(cells) == {"a": "primary", "total": "secondary"}


def test_a_bezirk_protects_its_own_parts():
    # City = Bezirk X + Bezirk Y; X = a + b; Y = c + d.
    cells = _cells(city=100, X=40, Y=60, a=1, b=39, c=25, d=35)
    groups = [("X", ["a", "b"]), ("Y", ["c", "d"]), ("city", ["X", "Y"])]
    disclosure.suppress(cells, groups, 3)
    # a is small; b must go with it, else X − b reveals a. Then X itself is fine
    # (40 published, a + b = 40 hidden) and no group has a lone suppressed cell.
    assert _hidden(cells) == {"a": "primary", "b": "secondary"}


def test_a_suppressed_bezirk_takes_a_second_bezirk_with_it():
    cells = _cells(city=100, X=2, Y=40, Z=58, a=1, b=1)
    groups = [("X", ["a", "b"]), ("city", ["X", "Y", "Z"])]
    disclosure.suppress(cells, groups, 3)
    assert _hidden(cells) == {"a": "primary", "b": "primary", "X": "primary", "Y": "secondary"}


def test_groups_without_a_published_total_change_nothing():
    cells = _cells(a=1, b=50)
    disclosure.suppress(cells, [("missing", ["a", "b"])], 3)
    assert _hidden(cells) == {"a": "primary"}


# Through the selectors ----------------------------------------------------------


@pytest.fixture
def hierarchy(db):
    city = MunicipalityFactory()
    north = DistrictFactory(municipality=city, code="1", name="Nord", level="Stadtbezirk")
    south = DistrictFactory(municipality=city, code="2", name="Süd", level="Stadtbezirk")
    parts = {
        code: DistrictFactory(municipality=city, code=code, parent=parent)
        for code, parent in [("101", north), ("102", north), ("201", south), ("202", south)]
    }
    return city, north, south, parts


def _observe(city, indicator, district, value, **extra):
    return ObservationFactory(
        municipality=city, district=district, indicator=indicator, value=value, **extra
    )


def test_counts_are_protected_in_table_and_export(hierarchy):
    city, north, south, parts = hierarchy
    children = IndicatorFactory(unit=Unit.COUNT)
    values = {"101": 2, "102": 48, "201": 30, "202": 20}
    for code, value in values.items():
        _observe(city, children, parts[code], value)
    _observe(city, children, north, 50)
    _observe(city, children, south, 50)
    _observe(city, children, None, 100)
    table = selectors.indicator_table(city, children, 2012)
    shown = {row.district.code: row.display for row in table.rows}
    assert shown == {"1": "50", "2": "50", "101": ".", "102": ".", "201": "30", "202": "20"}
    assert table.municipality_row.display == "100"
    assert table.suppressed_count == 2
    csv_rows = selectors.indicator_csv_rows(city, children, 2012)
    exported = {row[0]: row[4] for row in csv_rows[1:]}
    assert exported["101"] == "." and exported["102"] == "."
    assert "48" not in {cell for row in csv_rows for cell in row}


def test_missing_bezirk_value_does_not_hide_the_city_total(hierarchy):
    city, _north, _south, parts = hierarchy
    children = IndicatorFactory(unit=Unit.COUNT)
    for code, value in {"101": 1, "102": 49, "201": 30, "202": 20}.items():
        _observe(city, children, parts[code], value)
    _observe(city, children, None, 100)  # no Stadtbezirk values stored
    shown = {
        row.district.code: row.display
        for row in selectors.indicator_table(city, children, 2012).rows
    }
    # Without Stadtbezirk values the Stadtteile are the city's parts directly.
    assert shown == {"101": ".", "102": "49", "201": "30", "202": "."}


def test_rates_are_suppressed_by_their_numerator(hierarchy):
    city, north, _south, parts = hierarchy
    quote = IndicatorFactory(unit=Unit.PERCENT, disclosure_threshold=5)
    _observe(city, quote, parts["101"], 4.0, numerator=4, denominator=100)
    _observe(city, quote, parts["102"], 12.5, numerator=25, denominator=200)
    _observe(city, quote, north, 9.7, numerator=29, denominator=300)
    table = selectors.indicator_table(city, quote, 2012)
    rows = {row.district.code: row for row in table.rows}
    assert rows["101"].display == "." and rows["101"].numerator is None
    assert rows["102"].display == "." and rows["102"].value is None  # secondary
    assert rows["1"].display == "9,7"


def test_indicator_threshold_is_used(hierarchy):
    city, _north, _south, parts = hierarchy
    counted = IndicatorFactory(unit=Unit.COUNT, disclosure_threshold=10)
    _observe(city, counted, parts["101"], 9)
    _observe(city, counted, parts["201"], 10)
    rows = {r.district.code: r for r in selectors.indicator_table(city, counted, 2012).rows}
    assert (rows["101"].display, rows["201"].display) == (".", "10")


def _shown(city, indicator):
    table = selectors.indicator_table(city, indicator, 2012)
    return table.municipality_row.display, {row.district.code: row.display for row in table.rows}


def test_two_layers_that_do_not_nest_each_add_up_to_the_total(db):
    """Sozialräume and Planungsbezirke both cover the city: a suppressed
    Sozialraum must not come back as the total minus the other Sozialräume
    (before, one group of all five hid a Planungsbezirk instead)."""
    city = MunicipalityFactory()
    layers = {"S1": "Sozialraum", "S2": "Sozialraum", "S3": "Sozialraum"}
    layers |= {"P1": "Planungsbezirk", "P2": "Planungsbezirk"}
    districts = {
        code: DistrictFactory(municipality=city, code=code, level=level)
        for code, level in layers.items()
    }
    children = IndicatorFactory(unit=Unit.COUNT)
    for code, value in {"S1": 2, "S2": 300, "S3": 400, "P1": 100, "P2": 602}.items():
        _observe(city, children, districts[code], value)
    _observe(city, children, None, 702)
    total, shown = _shown(city, children)
    assert total == "702"
    assert shown == {"S1": ".", "S2": ".", "S3": "400", "P1": "100", "P2": "602"}


@pytest.mark.parametrize("loop", ["self", "pair"])
def test_districts_in_a_loop_of_parents_count_as_top_districts(db, loop):
    """Stored before the import refused it: X1 in itself, or X1 in X2 in X1."""
    city = MunicipalityFactory()
    x1, x2, x3 = (DistrictFactory(municipality=city, code=f"X{i}") for i in (1, 2, 3))
    x1.parent = x1 if loop == "self" else x2
    x1.save()
    if loop == "pair":
        x2.parent = x1
        x2.save()
    counted = IndicatorFactory(unit=Unit.COUNT)
    for district, value in ((x1, 2), (x2, 100), (x3, 50)):
        _observe(city, counted, district, value)
    _observe(city, counted, None, 152)
    total, shown = _shown(city, counted)
    # X1 is small; with X2 and X3 published, 152 − 100 − 50 would give it back
    assert total == "152" and shown["X1"] == "."
    assert list(shown.values()).count(".") == 2
