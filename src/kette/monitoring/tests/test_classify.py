"""Classification for choropleth maps, against hand-computed bounds."""

import pytest

from kette.monitoring import classify


def test_quantiles_put_equal_numbers_into_classes():
    values = [1, 2, 3, 4, 5, 6, 7, 8]
    # statistics.quantiles(inclusive), n=4: 2.75, 4.5, 6.25
    assert classify.breaks(values, classify.QUANTILES, 4) == [2.75, 4.5, 6.25]
    result = classify.classify(
        {v: float(v) for v in values}, method=classify.QUANTILES, classes=4, direction="neutral"
    )
    assert [k.count for k in result.legend] == [2, 2, 2, 2]
    assert result.numbers[1] == 1 and result.numbers[8] == 4


def test_tied_quantiles_give_fewer_classes_not_empty_ones():
    # inclusive quartiles: 1, 1.5, 3.25; the first equals the minimum and goes.
    assert classify.breaks([1, 1, 1, 1, 2, 3, 4, 5], classify.QUANTILES, 4) == [1.5, 3.25]
    assert classify.breaks([3, 3, 3], classify.QUANTILES, 5) == []


def test_equal_intervals_cut_the_range():
    assert classify.breaks([0, 3, 10], classify.EQUAL_INTERVALS, 5) == [2, 4, 6, 8]
    assert classify.class_of(4, [2, 4, 6, 8]) == 2  # a bound belongs to the upper class


def test_standard_deviation_bounds_are_centred_on_the_mean():
    values = [2, 4, 4, 4, 5, 5, 7, 9]  # mean 5, sample sd 2.138…
    sd = 2.1380899352993950
    even = classify.breaks(values, classify.STANDARD_DEVIATIONS, 4)
    assert even == pytest.approx([5 - sd, 5, 5 + sd])
    odd = classify.breaks(values, classify.STANDARD_DEVIATIONS, 5)
    assert odd == pytest.approx([5 - 1.5 * sd, 5 - 0.5 * sd, 5 + 0.5 * sd, 5 + 1.5 * sd])
    result = classify.classify(
        dict(enumerate(values)), method=classify.STANDARD_DEVIATIONS, classes=4, direction="neutral"
    )
    assert result.legend[0].low is None and result.legend[-1].high is None


def test_palettes_follow_the_direction():
    worse = classify.palette(classify.QUANTILES, "higher_is_worse", 5)
    better = classify.palette(classify.QUANTILES, "higher_is_better", 5)
    assert worse[-1] == "#b30000" and better[-1] == "#006d2c"
    # Diverging: red marks more need, at the high end or the low end.
    assert classify.palette(classify.STANDARD_DEVIATIONS, "higher_is_worse", 4)[-1] == "#ca0020"
    assert classify.palette(classify.STANDARD_DEVIATIONS, "higher_is_better", 4)[0] == "#ca0020"
    assert len(classify.palette(classify.STANDARD_DEVIATIONS, "neutral", 7)) == 7


def test_number_of_classes_is_clamped():
    assert classify.clamp_classes(None) == 5
    assert classify.clamp_classes(1) == 3
    assert classify.clamp_classes(12) == 7


def test_unknown_method_falls_back_to_quantiles_and_empty_input_is_empty():
    result = classify.classify({}, method="magic", classes=5, direction="neutral")
    assert result.method == classify.QUANTILES and result.is_empty
