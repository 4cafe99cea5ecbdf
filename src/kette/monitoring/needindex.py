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

`compute` works on one municipality's values in dicts and states the method
plainly; `compute_grouped` computes the same for the districts of many
municipalities at once on numpy arrays (what the selectors use).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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


# The same for many municipalities at once, on arrays ---------------------------------

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]
Bools = npt.NDArray[np.bool_]


def status_classes(standardised: Floats) -> npt.NDArray[np.int64]:
    """`status_class` of every element."""
    return np.where(
        standardised < -1,
        STATUS_LOW,
        np.where(
            standardised <= 1,
            STATUS_MEDIUM,
            np.where(standardised <= 1.5, STATUS_HIGH, STATUS_VERY_HIGH),
        ),
    )


def grouped_zscores(values: Floats, group: Ints, mask: Bools, groups: int) -> Floats:
    """`zscores` within each group of the elements in `mask` (NaN elsewhere): the
    sample standard deviation, 0 when a group has fewer than two elements or its
    values don't vary. Sums run in element order, so a group's scores don't depend
    on the other groups."""
    g = group[mask]
    v = values[mask]
    n = np.bincount(g, minlength=groups)
    mean = np.bincount(g, weights=v, minlength=groups) / np.maximum(n, 1)
    deviation = v - mean[g]
    squares = np.bincount(g, weights=deviation * deviation, minlength=groups)
    sd = np.sqrt(squares / np.maximum(n - 1, 1))[g]
    varies = (n[g] >= 2) & (sd != 0)
    scores = np.zeros_like(v)
    np.divide(deviation, sd, out=scores, where=varies)
    result = np.full(values.shape, np.nan)
    result[mask] = scores
    return result


def _grouped_index(
    values: Floats, group: Ints, mask: Bools, groups: int, weights: Floats, signs: Floats
) -> Floats:
    """`weighted_index` of the rows in `mask` (0 elsewhere): per component
    (column), oriented z-scores within the group, weighted by the group's weights."""
    total = weights.sum(axis=1)[group]
    index = np.zeros(len(group))
    for column in range(values.shape[1]):
        scores = grouped_zscores(values[:, column], group, mask, groups)
        weight = weights[group, column]
        used = mask & (weight > 0)
        index[used] += signs[group, column][used] * weight[used] * scores[used] / total[used]
    return index


@dataclass(frozen=True)
class GroupedResults:
    """`compute_grouped`'s results per row (district); NaN / False where not ranked."""

    ranked: Bools
    index: Floats
    standardised: Floats
    status: npt.NDArray[np.int64]
    with_dynamics: Bools
    change: Floats
    change_standardised: Floats
    dynamics: npt.NDArray[np.str_]
    earlier: Bools  # per group: any value two years before (else no dynamics at all)


def compute_grouped(
    group: Ints,
    groups: int,
    current: Floats,
    earlier: Floats | None,
    weights: Floats,
    higher_is_worse: Bools,
) -> GroupedResults:
    """`compute` for the districts (rows) of many groups (municipalities) at once.

    `group` (rows): each district's group, 0 … `groups` − 1; `current` and
    `earlier` (rows × components): the published values, NaN when missing or
    suppressed; `weights` and `higher_is_worse` (groups × components): each
    group's components in the columns, weight 0 where a group has fewer. A
    group's results depend on its own rows only, so one municipality computed
    alone gets exactly the numbers it gets among all the others. Dynamics are
    computed for the groups with any earlier value (`earlier` of the result), as
    `compute` does when given earlier values."""
    chosen: Bools = weights > 0
    signs = np.where(higher_is_worse, 1.0, -1.0)
    has_components = np.any(chosen, axis=1)[group]
    needed = chosen[group]
    present = ~np.isnan(current)
    ranked = has_components & np.all(present | ~needed, axis=1)
    index = _grouped_index(current, group, ranked, groups, weights, signs)
    standardised = grouped_zscores(index, group, ranked, groups)
    index[~ranked] = np.nan
    status = status_classes(np.nan_to_num(standardised))
    if earlier is None:
        earlier = np.full(current.shape, np.nan)
    before = ~np.isnan(earlier)
    with_earlier = np.bincount(group, weights=np.any(before & needed, axis=1), minlength=groups) > 0
    with_dynamics = ranked & with_earlier[group] & np.all(before | ~needed, axis=1)
    changes = current - earlier
    change = _grouped_index(changes, group, with_dynamics, groups, weights, signs)
    change_standardised = grouped_zscores(change, group, with_dynamics, groups)
    change[~with_dynamics] = np.nan
    dynamics = np.where(
        change_standardised < -1, IMPROVING, np.where(change_standardised > 1, WORSENING, STABLE)
    )
    return GroupedResults(
        ranked=ranked,
        index=index,
        standardised=standardised,
        status=status,
        with_dynamics=with_dynamics,
        change=change,
        change_standardised=change_standardised,
        dynamics=dynamics,
        earlier=with_earlier,
    )
