"""Classification of indicator values for choropleth maps, independent of the database.

Three methods, as statistical atlases offer them:
- quantiles: each class holds (about) the same number of districts;
- equal intervals: the range from minimum to maximum cut into equal widths;
- standard deviations: classes one standard deviation wide, centred on the mean
  (an even number of classes puts a break at the mean, an odd one a class
  around it), the outer classes open-ended.

Palettes are ColorBrewer's (Cynthia Brewer, Penn State; Apache License 2.0),
all marked colour-blind safe there. Sequential palettes go from light (low) to
dark (high); the hue follows the indicator's direction (orange-red when a
higher value means more need, blue-green when it means less, blue without a
direction). Standard-deviation classes use a diverging palette whose red end
is the side of more need.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

QUANTILES = "quantile"
EQUAL_INTERVALS = "equal"
STANDARD_DEVIATIONS = "stddev"
METHODS = (QUANTILES, EQUAL_INTERVALS, STANDARD_DEVIATIONS)
MIN_CLASSES, MAX_CLASSES = 3, 7
DEFAULT_CLASSES = 5

# The colour of suppressed districts' hatching and of districts without a value.
SUPPRESSED_COLOUR = "#737373"
NO_VALUE_COLOUR = "#f0f0f0"

_SEQUENTIAL = {
    "OrRd": {
        3: ["#fee8c8", "#fdbb84", "#e34a33"],
        4: ["#fef0d9", "#fdcc8a", "#fc8d59", "#d7301f"],
        5: ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"],
        6: ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"],
        7: ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"],
    },
    "BuGn": {
        3: ["#e5f5f9", "#99d8c9", "#2ca25f"],
        4: ["#edf8fb", "#b2e2e2", "#66c2a4", "#238b45"],
        5: ["#edf8fb", "#b2e2e2", "#66c2a4", "#2ca25f", "#006d2c"],
        6: ["#edf8fb", "#ccece6", "#99d8c9", "#66c2a4", "#2ca25f", "#006d2c"],
        7: ["#edf8fb", "#ccece6", "#99d8c9", "#66c2a4", "#41ae76", "#238b45", "#005824"],
    },
    "Blues": {
        3: ["#deebf7", "#9ecae1", "#3182bd"],
        4: ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
        5: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
        6: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
        7: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
    },
}
# Diverging, listed from blue (low values) to red (high values).
_DIVERGING = {
    "RdBu": {
        3: ["#67a9cf", "#f7f7f7", "#ef8a62"],
        4: ["#0571b0", "#92c5de", "#f4a582", "#ca0020"],
        5: ["#0571b0", "#92c5de", "#f7f7f7", "#f4a582", "#ca0020"],
        6: ["#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b"],
        7: ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"],
    },
    "PuOr": {
        3: ["#998ec3", "#f7f7f7", "#f1a340"],
        4: ["#5e3c99", "#b2abd2", "#fdb863", "#e66101"],
        5: ["#5e3c99", "#b2abd2", "#f7f7f7", "#fdb863", "#e66101"],
        6: ["#542788", "#998ec3", "#d8daeb", "#fee0b6", "#f1a340", "#b35806"],
        7: ["#542788", "#998ec3", "#d8daeb", "#f7f7f7", "#fee0b6", "#f1a340", "#b35806"],
    },
}


def palette(method: str, direction: str, classes: int) -> list[str]:
    """Colours from the lowest to the highest class (`direction` as Indicator.direction)."""
    if method == STANDARD_DEVIATIONS:
        if direction == "neutral":
            return list(_DIVERGING["PuOr"][classes])
        colours = list(_DIVERGING["RdBu"][classes])
        # Red marks more need: high values when higher is worse, low ones otherwise.
        return colours if direction == "higher_is_worse" else colours[::-1]
    name = {"higher_is_worse": "OrRd", "higher_is_better": "BuGn"}.get(direction, "Blues")
    return list(_SEQUENTIAL[name][classes])


def clamp_classes(value: int | None) -> int:
    if value is None:
        return DEFAULT_CLASSES
    return min(max(value, MIN_CLASSES), MAX_CLASSES)


def breaks(values: Sequence[float], method: str, classes: int) -> list[float]:
    """The inner class bounds, ascending (a value equal to a bound belongs to the
    upper class). Quantiles of tied values give fewer bounds rather than empty
    classes; standard-deviation bounds are kept even outside the data, so the
    diverging palette stays centred on the mean."""
    data = sorted(values)
    if len(data) < 2 or data[0] == data[-1]:
        return []
    if method == STANDARD_DEVIATIONS:
        mean = statistics.fmean(data)
        sd = statistics.stdev(data)
        half = classes // 2
        if classes % 2:  # odd: a middle class from mean − ½ sd to mean + ½ sd
            steps = [i + 0.5 for i in range(-half, half)]
        else:  # even: a bound at the mean
            steps = [float(i) for i in range(-(half - 1), half)]
        return [mean + step * sd for step in steps]
    if method == EQUAL_INTERVALS:
        width = (data[-1] - data[0]) / classes
        return [data[0] + width * i for i in range(1, classes)]
    if method != QUANTILES:
        raise ValueError(method)
    unique: list[float] = []
    for cut in statistics.quantiles(data, n=classes, method="inclusive"):
        if data[0] < cut <= data[-1] and (not unique or cut > unique[-1]):
            unique.append(cut)
    return unique


def class_of(value: float, bounds: Sequence[float]) -> int:
    """0-based class of `value` for the inner `bounds`."""
    position = 0
    for bound in bounds:
        if value >= bound:
            position += 1
    return position


@dataclass(frozen=True)
class Klass:
    number: int  # 1-based
    colour: str
    low: float | None  # None: open (only for standard deviations' outer classes)
    high: float | None
    count: int


@dataclass(frozen=True)
class Classification:
    method: str
    classes: int
    bounds: list[float]
    legend: list[Klass]
    colours: dict[object, str]  # key → colour
    numbers: dict[object, int]  # key → 1-based class

    @property
    def is_empty(self) -> bool:
        return not self.legend


def classify(
    values: dict[object, float], *, method: str, classes: int, direction: str
) -> Classification:
    """Classes, colours and a legend for the published `values` (key → value)."""
    if method not in METHODS:
        method = QUANTILES
    classes = clamp_classes(classes)
    if not values:
        return Classification(method, classes, [], [], {}, {})
    bounds = breaks(list(values.values()), method, classes)
    count = len(bounds) + 1
    colours = palette(method, direction, max(count, MIN_CLASSES))
    if count < MIN_CLASSES:  # tied values: one or two classes of the three-class palette
        colours = [colours[0], colours[2]] if count == 2 else [colours[1]]
    numbers = {key: class_of(value, bounds) + 1 for key, value in values.items()}
    low_value, high_value = min(values.values()), max(values.values())
    open_ended = method == STANDARD_DEVIATIONS
    legend = []
    for index in range(count):
        low = bounds[index - 1] if index > 0 else (None if open_ended else low_value)
        high = bounds[index] if index < len(bounds) else (None if open_ended else high_value)
        legend.append(
            Klass(
                number=index + 1,
                colour=colours[index],
                low=low,
                high=high,
                count=sum(1 for n in numbers.values() if n == index + 1),
            )
        )
    return Classification(
        method=method,
        classes=classes,
        bounds=bounds,
        legend=legend,
        colours={key: colours[n - 1] for key, n in numbers.items()},
        numbers=numbers,
    )
