"""Time intervals ``(start, end)`` in seconds: overlap and union (shared by the speech and interaction stages).

The array functions (:func:`union_arrays`, :func:`overlap_pairs`) are what per-cue work uses: a
transcript can have 100,000 cues, so nothing may loop over cues for every window (or the reverse).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np


def merge_intervals(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Union of intervals (overlapping or touching ones merge; empty ones are dropped), sorted by start."""
    out: list[list[float]] = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def union_arrays(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`merge_intervals` on arrays, vectorised (O(n log n), no Python loop): the union's starts and ends."""
    s, e = np.asarray(starts, np.float64), np.asarray(ends, np.float64)
    keep = e > s
    s, e = s[keep], e[keep]
    if s.size == 0:
        return s, e
    order = np.lexsort((e, s))
    s, e = s[order], e[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(s.size, bool)
    new[1:] = s[1:] > reach[:-1]  # touching intervals (start == previous reach) merge, as in merge_intervals
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, s.size - 1)
    return s[first], reach[last]


def overlap_pairs(win_start: np.ndarray, win_end: np.ndarray, iv_start: np.ndarray, iv_end: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """All (window, interval) index pairs that overlap, in O(windows + intervals + pairs) after sorting.

    Windows must be sorted and disjoint (clip windows of a person, a session's windows); intervals
    are anything (cues, turns). An interval ``[s, e)`` with ``e > s`` overlaps window ``[a, b)`` when
    ``s < b`` and ``e > a``; a zero-length interval (``e == s``) belongs to the window with
    ``a <= s < b``. Pairs come sorted by window, then interval index.
    """
    ws, we = np.asarray(win_start, np.float64), np.asarray(win_end, np.float64)
    s, e = np.asarray(iv_start, np.float64), np.asarray(iv_end, np.float64)
    if ws.size == 0 or s.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lo = np.searchsorted(we, s, side="right")  # first window ending after the start
    hi = np.where(e <= s, np.searchsorted(ws, s, side="right"), np.searchsorted(ws, e, side="left"))
    count = np.maximum(hi - lo, 0)
    iv = np.repeat(np.arange(s.size), count)
    # window index of each pair: lo of its interval plus its rank within the interval's run
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    win = np.repeat(lo, count) + offsets
    order = np.lexsort((iv, win))
    return win[order], iv[order]


def window_pairs(win_start: np.ndarray, win_end: np.ndarray, iv_start: np.ndarray, iv_end: np.ndarray,
                 points: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """:func:`overlap_pairs` for windows in any order (disjoint among themselves), indices as given.

    ``points``: zero-length intervals belong to the window they lie in; otherwise (the default, "overlap
    by more than zero seconds") they belong to none. Overlapping windows are a ValueError.
    """
    ws, we = np.asarray(win_start, np.float64), np.asarray(win_end, np.float64)
    order = np.argsort(ws, kind="stable")
    ws_sorted, we_sorted = ws[order], we[order]
    if ws.size > 1 and np.any(ws_sorted[1:] < we_sorted[:-1]):
        raise ValueError("window_pairs needs disjoint windows")
    iv_start, iv_end = np.asarray(iv_start, np.float64), np.asarray(iv_end, np.float64)
    keep = np.arange(iv_start.size) if points else np.flatnonzero(iv_end > iv_start)
    win, iv = overlap_pairs(ws_sorted, we_sorted, iv_start[keep], iv_end[keep])
    return order[win], keep[iv]


def per_window(win_start: np.ndarray, win_end: np.ndarray, iv_start: np.ndarray, iv_end: np.ndarray,
               points: bool = False) -> list[np.ndarray]:
    """For each window (given order, disjoint), the indices of the intervals overlapping it, ascending."""
    n = np.asarray(win_start).size
    win, iv = window_pairs(win_start, win_end, iv_start, iv_end, points)
    order = np.lexsort((iv, win))
    win, iv = win[order], iv[order]
    bounds = np.searchsorted(win, np.arange(n + 1))
    return [iv[bounds[k]:bounds[k + 1]] for k in range(n)]
