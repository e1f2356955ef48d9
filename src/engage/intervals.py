"""Time intervals ``(start, end)`` in seconds: overlap and union (shared by the speech and interaction stages)."""

from __future__ import annotations

from typing import Iterable, Sequence


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length of the intersection of ``[a0, a1)`` and ``[b0, b1)`` (0 when they do not meet)."""
    return max(0.0, min(a1, b1) - max(a0, b0))


def merge_intervals(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Union of intervals (overlapping or touching ones merge; empty ones are dropped), sorted by start."""
    out: list[list[float]] = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def clip_to(intervals: Sequence[tuple[float, float]], start: float, end: float) -> list[tuple[float, float]]:
    """The parts of ``intervals`` inside ``[start, end)``."""
    out = []
    for a, b in intervals:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            out.append((lo, hi))
    return out
