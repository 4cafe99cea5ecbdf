"""Timing helpers shared by the benchmarks: repeat, summarise, print beside a baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    label: str
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(
    label: str, action: Callable[[], object], *, repeat: int = 20, warmup: int = 2
) -> Timing:
    """Run `action` `warmup` times unmeasured, then `repeat` times measured (wall clock)."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(label, samples)


def measure_alternating(
    actions: list[tuple[str, Callable[[], object]]], *, repeat: int = 20, warmup: int = 2
) -> list[Timing]:
    """`measure` for several actions, taking their samples in turns (a, b, a, b, …),
    so that a busy minute on the shared machine falls on all of them alike
    rather than on whichever ran then."""
    for _ in range(warmup):
        for _label, action in actions:
            action()
    samples: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for position, (_label, action) in enumerate(actions):
            started = time.perf_counter()
            action()
            samples[position].append((time.perf_counter() - started) * 1000)
    return [Timing(label, taken) for (label, _action), taken in zip(actions, samples, strict=True)]


def side_by_side(
    title: str, rows: list[tuple[Timing, Timing]], *, target: float | None = None
) -> str:
    """A table of kette's timings beside the baseline's, with their ratio of medians."""
    lines = [title, ""]
    header = (
        f"{'case':<40} {'kette med':>10} {'p95':>8} {'baseline med':>13} {'p95':>8} {'ratio':>7}"
    )
    lines += [header, "-" * len(header)]
    for ours, base in rows:
        ratio = ours.median / base.median if base.median else float("inf")
        flag = ""
        if target is not None:
            flag = "  ok" if ratio <= target else "  OVER TARGET"
        lines.append(
            f"{ours.label:<40} {ours.median:>9.2f}ms {ours.p95:>7.2f}ms"
            f" {base.median:>12.2f}ms {base.p95:>7.2f}ms {ratio:>6.2f}x{flag}"
        )
    if target is not None:
        lines.append(f"(target: ratio ≤ {target}x)")
    return "\n".join(lines)
