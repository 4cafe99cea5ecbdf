"""Demo data of the learning network (filled in with the demo step)."""

from __future__ import annotations

from collections.abc import Callable


def load_learning_demo(report: Callable[[str], None]) -> None:
    report("0 Lernnetzwerktreffen")
