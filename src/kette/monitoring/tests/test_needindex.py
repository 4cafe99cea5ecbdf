"""The need index against hand-computed values."""

import math

import numpy as np
import pytest

from kette.monitoring import needindex, selectors, services
from kette.monitoring.errors import ImportRejected
from kette.monitoring.models import Direction, Unit
from kette.monitoring.tests.factories import (
    DistrictFactory,
    IndicatorFactory,
    NeedIndexWeightFactory,
    ObservationFactory,
)
from kette.testing.factories import MunicipalityFactory

# Four districts. Indicator A (higher = more need, weight 3): 2, 4, 2, 4 →
# mean 3, sample SD √(4/3), z = ∓√3/2. Indicator B (higher = less need,
# weight 1): 10, 10, 30, 30 → z = −√3/2, −√3/2, +√3/2, +√3/2, oriented ±√3/2.
# Index = (3·zA + zB')/4 = a·(−0.5, 1, −1, 0.5) with a = √3/2.
# The index standardised (its own sample SD a·√(2.5/3)): ±0.5477, ±1.0954.
A = {"d1": 2.0, "d2": 4.0, "d3": 2.0, "d4": 4.0}
B = {"d1": 10.0, "d2": 10.0, "d3": 30.0, "d4": 30.0}
# Two years earlier A was 3, 3, 3, 1: change −1, 1, −1, 3 (mean 0.5, SD √(11/3));
# B did not change (z = 0), so the dynamics are A's standardised change:
# −0.7833, 0.2611, −0.7833, 1.3056.
A_EARLIER = {"d1": 3.0, "d2": 3.0, "d3": 3.0, "d4": 1.0}
COMPONENTS = [needindex.Component("a", 3, True), needindex.Component("b", 1, False)]
HALF_ROOT3 = math.sqrt(3) / 2


def test_zscores_use_the_sample_standard_deviation():
    assert needindex.zscores({"x": 2, "y": 4, "z": 2, "w": 4}) == pytest.approx(
        {"x": -HALF_ROOT3, "y": HALF_ROOT3, "z": -HALF_ROOT3, "w": HALF_ROOT3}
    )
    assert needindex.zscores({"x": 5, "y": 5}) == {"x": 0.0, "y": 0.0}


def test_status_by_hand():
    results = needindex.compute(COMPONENTS, {"a": A, "b": B})
    index = {d: r.index for d, r in results.items()}
    assert index == pytest.approx(
        {"d1": -0.5 * HALF_ROOT3, "d2": HALF_ROOT3, "d3": -HALF_ROOT3, "d4": 0.5 * HALF_ROOT3}
    )
    standardised = {d: r.standardised for d, r in results.items()}
    assert standardised == pytest.approx(
        {"d1": -0.5477, "d2": 1.0954, "d3": -1.0954, "d4": 0.5477}, abs=1e-4
    )
    assert {d: r.status for d, r in results.items()} == {"d1": 2, "d2": 3, "d3": 1, "d4": 2}
    assert all(r.dynamics is None for r in results.values())


def test_dynamics_and_types_by_hand():
    results = needindex.compute(COMPONENTS, {"a": A, "b": B}, {"a": A_EARLIER, "b": B})
    change = {d: r.change_standardised for d, r in results.items()}
    assert change == pytest.approx(
        {"d1": -0.7833, "d2": 0.2611, "d3": -0.7833, "d4": 1.3056}, abs=1e-4
    )
    assert {d: r.dynamics for d, r in results.items()} == {
        "d1": "±",
        "d2": "±",
        "d3": "±",
        "d4": "−",
    }
    assert results["d4"].type_label == "2−"
    assert results["d4"].type_number == 6
    assert results["d3"].type_number == 2


@pytest.mark.parametrize(
    ("z", "status"), [(-1.01, 1), (-1.0, 2), (1.0, 2), (1.01, 3), (1.5, 3), (1.51, 4)]
)
def test_status_class_boundaries(z, status):
    assert needindex.status_class(z) == status


def test_twelve_types():
    numbers = {
        needindex.type_number(status, dynamics)
        for status in range(1, 5)
        for dynamics in ("+", "±", "−")
    }
    assert numbers == set(range(1, 13))


def test_districts_missing_a_value_are_not_ranked():
    results = needindex.compute(
        COMPONENTS, {"a": A, "b": {k: v for k, v in B.items() if k != "d4"}}
    )
    assert set(results) == {"d1", "d2", "d3"}


# Through the selector -----------------------------------------------------------


@pytest.fixture
def city(db):
    city = MunicipalityFactory()
    districts = {
        code: DistrictFactory(municipality=city, code=code, level="Stadtteil")
        for code in ("d1", "d2", "d3", "d4")
    }
    a = IndicatorFactory(key="a", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE)
    b = IndicatorFactory(key="b", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_BETTER)
    for year, values in ((2012, A), (2010, A_EARLIER)):
        for code, value in values.items():
            ObservationFactory(
                municipality=city, district=districts[code], indicator=a, year=year, value=value
            )
    for year in (2010, 2012):
        for code, value in B.items():
            ObservationFactory(
                municipality=city, district=districts[code], indicator=b, year=year, value=value
            )
    NeedIndexWeightFactory(municipality=city, indicator=a, weight=3)
    NeedIndexWeightFactory(municipality=city, indicator=b, weight=1)
    return city


def test_need_index_selector_matches_the_hand_computation(city):
    result = selectors.need_index(city, 2012)
    assert result.earlier_year == 2010
    assert [row.district.code for row in result.rows] == ["d2", "d4", "d1", "d3"]
    assert [row.result.type_label for row in result.rows] == ["3±", "2−", "2±", "1±"]
    assert result.rows[0].status_label == "hoher Bedarf"
    assert result.rows[1].dynamics_label == "verschlechtert"
    assert selectors.need_index_years(city) == [2010, 2012]


def test_suppressed_inputs_leave_the_district_unranked(city):
    counted = IndicatorFactory(key="c", unit=Unit.COUNT, direction=Direction.HIGHER_IS_WORSE)
    for code, value in {"d1": 2, "d2": 40, "d3": 50, "d4": 60}.items():
        ObservationFactory(
            municipality=city,
            district=selectors.districts_of(city).get(code=code),
            indicator=counted,
            value=value,
        )
    NeedIndexWeightFactory(municipality=city, indicator=counted)
    result = selectors.need_index(city, 2012)
    unranked = [row.district.code for row in result.rows if row.result is None]
    assert unranked == ["d1"]
    # The batch path (fast unless a count is small) suppresses the same.
    assert selectors.need_indexes([city], 2012)[city.pk].rows == result.rows


def test_weights_are_validated(city):
    with pytest.raises(ImportRejected, match="Gewicht für „a“ muss größer als 0 sein"):
        services.need_index_weights_set(actor=None, municipality=city, weights={"a": 0})
    neutral = IndicatorFactory(key="n", direction=Direction.NEUTRAL)
    with pytest.raises(ImportRejected, match="hat keine Richtung"):
        services.need_index_weights_set(actor=None, municipality=city, weights={neutral.key: 1})
    services.need_index_weights_set(actor=None, municipality=city, weights={"a": 2})
    assert [(w.indicator.key, w.weight) for w in selectors.need_index_weights(city)] == [("a", 2)]


def test_set_need_index_command(city):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("set_need_index", "a=2,5", "b", "--municipality", city.slug, stdout=out)
    assert "Bedarfsindex aus a=2.5, b=1" in out.getvalue()
    with pytest.raises(CommandError, match="Unbekannter Indikator „zzz“"):
        call_command("set_need_index", "zzz=1", "--municipality", city.slug, stdout=out)


def test_need_indexes_of_many_municipalities_equal_each_need_index(city, django_assert_num_queries):
    other = MunicipalityFactory()
    district = DistrictFactory(municipality=other, code="x1")
    ObservationFactory(municipality=other, district=district, indicator__key="z", value=1)
    # Weights, their indicators, districts, observations: whatever the number of municipalities.
    with django_assert_num_queries(4):
        many = selectors.need_indexes([city, other], 2012)
    single = selectors.need_index(city, 2012)
    assert [(r.district.code, r.result) for r in many[city.pk].rows] == [
        (r.district.code, r.result) for r in single.rows
    ]
    assert many[city.pk].earlier_year == 2010
    assert many[other.pk].rows[0].result is None  # no indicators chosen


# The same on arrays, for many municipalities at once -------------------------------


def test_grouped_computation_equals_the_plain_one():
    """Two municipalities in one call: the hand-computed four districts, and three
    others with one indicator (one district without a value two years before)."""
    districts = ["d1", "d2", "d3", "d4"]
    current = [[A[d], B[d]] for d in districts] + [[1.0, np.nan], [5.0, np.nan], [9.0, np.nan]]
    earlier = [[A_EARLIER[d], B[d]] for d in districts] + [
        [2.0, np.nan],
        [np.nan, np.nan],
        [3.0, np.nan],
    ]
    results = needindex.compute_grouped(
        group=np.array([0, 0, 0, 0, 1, 1, 1]),
        groups=2,
        current=np.array(current),
        earlier=np.array(earlier),
        weights=np.array([[3.0, 1.0], [2.0, 0.0]]),
        higher_is_worse=np.array([[True, False], [False, False]]),
    )
    first = needindex.compute(COMPONENTS, {"a": A, "b": B}, {"a": A_EARLIER, "b": B})
    second = needindex.compute(
        [needindex.Component("x", 2, False)],
        {"x": {"e1": 1.0, "e2": 5.0, "e3": 9.0}},
        {"x": {"e1": 2.0, "e3": 3.0}},
    )
    expected = [first[d] for d in districts] + [second[d] for d in ("e1", "e2", "e3")]
    assert results.ranked.all()
    assert results.index.tolist() == pytest.approx([r.index for r in expected])
    assert results.standardised.tolist() == pytest.approx([r.standardised for r in expected])
    assert results.status.tolist() == [r.status for r in expected]
    assert results.with_dynamics.tolist() == [True] * 4 + [True, False, True]
    moved = [r for r in expected if r.dynamics is not None]
    assert results.change[results.with_dynamics].tolist() == pytest.approx(
        [r.change for r in moved]
    )
    assert results.dynamics[results.with_dynamics].tolist() == [r.dynamics for r in moved]
    assert results.earlier.tolist() == [True, True]


def test_grouped_computation_leaves_incomplete_districts_and_empty_groups_unranked():
    results = needindex.compute_grouped(
        group=np.array([0, 0, 0, 1, 1]),
        groups=2,
        current=np.array([[1.0], [2.0], [np.nan], [3.0], [4.0]]),
        earlier=None,
        weights=np.array([[1.0], [0.0]]),  # the second municipality chose nothing
        higher_is_worse=np.array([[True], [True]]),
    )
    assert results.ranked.tolist() == [True, True, False, False, False]
    assert results.standardised[:2].tolist() == pytest.approx([-math.sqrt(0.5), math.sqrt(0.5)])
    assert not results.with_dynamics.any() and not results.earlier.any()


@pytest.mark.parametrize("z", [-1.01, -1.0, 0.0, 1.0, 1.01, 1.5, 1.51])
def test_status_classes_on_arrays_match_status_class(z):
    assert needindex.status_classes(np.array([z])).tolist() == [needindex.status_class(z)]
