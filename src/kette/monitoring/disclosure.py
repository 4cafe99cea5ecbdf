"""Statistical disclosure control (DESIGN §5), independent of the database.

Primary suppression: a cell whose count (the value of a count indicator, the
numerator of a rate) lies between 1 and threshold − 1 is suppressed, as the
Bundesagentur für Arbeit does; zero reveals nothing about a person and stays.

Secondary suppression: a published total (the municipality, a Stadtbezirk) and
its published parts must not give a suppressed cell back by subtraction. For
every group "total = sum of parts" we suppress further parts, smallest first,
until at least two parts are suppressed and their sum is not itself a small
count; when no part is left, the total is suppressed. Groups are repeated until
nothing changes, because a suppression in one group (a Stadtbezirk) is a part
of another (the municipality).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass
class Cell:
    key: Hashable
    value: float
    count: float | None  # the count disclosure control checks; None for a rate without one
    suppressed: str = ""  # "", PRIMARY or SECONDARY


def is_small(count: float | None, threshold: int) -> bool:
    return count is not None and 0 < count < threshold


def suppress(
    cells: dict[Hashable, Cell],
    groups: list[tuple[Hashable, list[Hashable]]],
    threshold: int,
) -> dict[Hashable, Cell]:
    """Mark cells as suppressed in place and return them.

    `groups` lists (total key, part keys): the parts add up to the total.
    Keys without a cell are ignored, so callers pass the structure as it is."""
    for cell in cells.values():
        if is_small(cell.count, threshold):
            cell.suppressed = PRIMARY
    changed = True
    while changed:
        changed = False
        for total_key, part_keys in groups:
            total = cells.get(total_key)
            if total is None or total.suppressed:
                continue
            parts = [cells[key] for key in part_keys if key in cells]
            hidden = [cell for cell in parts if cell.suppressed]
            if not hidden:
                continue
            residual = sum(cell.count or 0 for cell in hidden)
            if len(hidden) >= 2 and not is_small(residual, threshold):
                continue
            candidates = sorted(
                (cell for cell in parts if not cell.suppressed and (cell.count or 0) > 0),
                key=lambda cell: (cell.count or 0, str(cell.key)),
            )
            if candidates:
                candidates[0].suppressed = SECONDARY
            else:
                total.suppressed = SECONDARY
            changed = True
    return cells
