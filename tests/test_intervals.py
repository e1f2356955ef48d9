"""Interval helpers every per-cue step uses: vectorised union and window/cue pairing vs brute force."""

from __future__ import annotations

import random

import numpy as np
import pytest

from engage.intervals import merge_intervals, overlap_pairs, per_window, union_arrays, window_pairs


def _random_case(rnd: random.Random):
    cues = []
    for _ in range(rnd.randint(0, 40)):
        a = round(rnd.uniform(0, 50), 1)
        cues.append((a, round(a + rnd.choice([0.0, 0.5, rnd.uniform(0, 10)]), 1)))  # some zero-length
    edges = sorted({round(rnd.uniform(0, 60), 1) for _ in range(rnd.randint(1, 12))})
    windows = [(a, b) for a, b in zip(edges[:-1], edges[1:]) if rnd.random() < 0.8]  # disjoint, with gaps
    return cues, windows


def _arrays(pairs):
    return np.array([a for a, _ in pairs], float), np.array([b for _, b in pairs], float)


def test_union_arrays_is_merge_intervals():
    rnd = random.Random(0)
    for _ in range(300):
        cues, _ = _random_case(rnd)
        s, e = union_arrays(*_arrays(cues))
        assert list(zip(s.tolist(), e.tolist())) == merge_intervals(cues)


@pytest.mark.parametrize("points", [False, True])
def test_per_window_matches_brute_force(points):
    rnd = random.Random(1)
    for _ in range(300):
        cues, windows = _random_case(rnd)
        rnd.shuffle(windows)  # any order, disjoint
        got = per_window(*_arrays(windows), *_arrays(cues), points=points)
        want = [[i for i, (s, e) in enumerate(cues)
                 if (e > s and s < b and e > a) or (points and e <= s and a <= s < b)] for a, b in windows]
        assert [g.tolist() for g in got] == want


def test_overlap_pairs_sorted_by_window_then_interval():
    win, iv = overlap_pairs(np.array([0.0, 10.0]), np.array([10.0, 20.0]), np.array([5.0, 0.0, 9.0]),
                            np.array([15.0, 30.0, 9.0]))
    assert list(zip(win.tolist(), iv.tolist())) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]


def test_overlapping_windows_are_refused():
    with pytest.raises(ValueError, match="disjoint"):
        window_pairs(np.array([0.0, 5.0]), np.array([10.0, 15.0]), np.array([1.0]), np.array([2.0]))


def test_pairs_are_linear_in_windows_and_cues():
    """100,000 cues against 10,000 windows: pairs only where they meet (no windows x cues table)."""
    rng = np.random.default_rng(0)
    start = np.sort(rng.uniform(0, 100_000, 100_000))
    win, iv = overlap_pairs(np.arange(0, 100_000, 10.0), np.arange(10, 100_010, 10.0), start, start + 2.0)
    assert 100_000 <= win.size <= 125_000  # each 2 s cue meets one window, or two across a boundary
