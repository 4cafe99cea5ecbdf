"""The need index (Bedarfsindex, DESIGN §5), independent of the database.

Following Berlin's Monitoring Soziale Stadtentwicklung:
- each chosen indicator is z-standardised across the districts (mean 0, sample
  standard deviation 1) and oriented so that higher means more need;
- the status index is the weighted mean of these z-scores;
- status classes by the standard deviation of the index itself:
  1 low (< −1 SD), 2 medium (−1 … +1 SD), 3 high (+1 … +1.5 SD), 4 very high (> +1.5 SD);
- the dynamics index is built the same way from each indicator's change over
  two years; classes: improving (< −1 SD), stable, worsening (> +1 SD);
- status class × dynamics class gives 12 types.
Only districts with a value for every chosen indicator are ranked.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

STATUS_LOW, STATUS_MEDIUM, STATUS_HIGH, STATUS_VERY_HIGH = 1, 2, 3, 4
IMPROVING, STABLE, WORSENING = "+", "±", "−"


@dataclass(frozen=True)
class Component:
    key: str
    weight: float
    higher_is_worse: bool


def zscores(values: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """z-scores with the sample standard deviation; all 0 when the values don't vary."""
    if len(values) < 2:
        return dict.fromkeys(values, 0.0)
    mean = math.fsum(values.values()) / len(values)
    # The sample standard deviation in floats (statistics.stdev computes it exactly
    # with fractions, many times slower for no difference at this precision).
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values.values()) / (len(values) - 1))
    if sd == 0:
        return dict.fromkeys(values, 0.0)
    return {key: (value - mean) / sd for key, value in values.items()}


def weighted_index(
    components: list[Component], values: Mapping[str, Mapping[Hashable, float]]
) -> dict[Hashable, float]:
    """The weighted mean of oriented z-scores for the districts that have every value."""
    complete = set.intersection(*(set(values.get(c.key, {})) for c in components))
    total_weight = sum(c.weight for c in components)
    index = dict.fromkeys(complete, 0.0)
    for component in components:
        scores = zscores({d: values[component.key][d] for d in complete})
        sign = 1.0 if component.higher_is_worse else -1.0
        for district, score in scores.items():
            index[district] += sign * component.weight * score / total_weight
    return index


def status_class(standardised: float) -> int:
    if standardised < -1:
        return STATUS_LOW
    if standardised <= 1:
        return STATUS_MEDIUM
    if standardised <= 1.5:
        return STATUS_HIGH
    return STATUS_VERY_HIGH


def dynamics_class(standardised: float) -> str:
    if standardised < -1:
        return IMPROVING
    if standardised > 1:
        return WORSENING
    return STABLE


def type_number(status: int, dynamics: str) -> int:
    """1 … 12: status 1 improving = 1, …, status 4 worsening = 12."""
    return (status - 1) * 3 + [IMPROVING, STABLE, WORSENING].index(dynamics) + 1


@dataclass(frozen=True)
class Result:
    index: float
    standardised: float
    status: int
    change: float | None = None
    change_standardised: float | None = None
    dynamics: str | None = None

    @property
    def type_label(self) -> str:
        return f"{self.status}{self.dynamics}" if self.dynamics else str(self.status)

    @property
    def type_number(self) -> int | None:
        return type_number(self.status, self.dynamics) if self.dynamics else None


def compute(
    components: list[Component],
    current: Mapping[str, Mapping[Hashable, float]],
    earlier: Mapping[str, Mapping[Hashable, float]] | None = None,
) -> dict[Hashable, Result]:
    """Status (and, with `earlier` values two years before, dynamics) per district."""
    if not components:
        return {}
    index = weighted_index(components, current)
    standardised = zscores(index)
    dynamics: dict[Hashable, float] = {}
    if earlier is not None:
        changes = {
            c.key: {
                d: current[c.key][d] - earlier[c.key][d]
                for d in index
                if d in earlier.get(c.key, {})
            }
            for c in components
        }
        dynamics = weighted_index(components, changes)
    dynamics_standardised = zscores(dynamics)
    return {
        district: Result(
            index=value,
            standardised=standardised[district],
            status=status_class(standardised[district]),
            change=dynamics.get(district),
            change_standardised=dynamics_standardised.get(district),
            dynamics=dynamics_class(dynamics_standardised[district])
            if district in dynamics_standardised
            else None,
        )
        for district, value in index.items()
    }
