"""Person ids across layout spans (engage.layout.identity.assign_ids) on hand-built spans."""

from __future__ import annotations

import numpy as np

from engage.layout.identity import assign_ids
from engage.layout.spans import ClosedSpan


def _sig(level: float) -> np.ndarray:
    return np.full(8 * 8 * 3, level, np.float32)


def _span(levels: list[float], camera_on: list[bool] | None = None, t: float = 0.0) -> ClosedSpan:
    n = len(levels)
    rects = [(10 * i, 0, 8, 8) for i in range(n)]
    sigs = [_sig(v) for v in levels]
    return ClosedSpan(rects=rects, t_first=t, t_last=t + 1, camera_on=camera_on or [True] * n,
                      sig_start=sigs, sig_end=sigs)


def test_ids_follow_people_through_a_reflow():
    spans = [_span([10, 60, 110]), _span([60, 110, 10], t=5)]  # same people, tiles moved
    assert assign_ids(spans, max_distance=30) == [["p00", "p01", "p02"], ["p01", "p02", "p00"]]


def test_a_person_who_left_gets_their_id_back():
    spans = [_span([10, 60, 110, 160]), _span([10, 60, 110], t=5), _span([10, 60, 110, 165], t=10)]
    ids = assign_ids(spans, max_distance=30, rejoin_max_distance=12)
    assert ids[2] == ["p00", "p01", "p02", "p03"]
    # rejoining disabled: a new id, as before
    assert assign_ids(spans, max_distance=30, rejoin_max_distance=0)[2] == ["p00", "p01", "p02", "p04"]


def test_someone_else_joining_gets_a_new_id():
    spans = [_span([10, 60, 110, 160]), _span([10, 60, 110], t=5), _span([10, 60, 110, 200], t=10)]
    assert assign_ids(spans, max_distance=30, rejoin_max_distance=12)[2][3] == "p04"


def test_camera_off_tiles_never_rejoin():
    off = [True, True, True, False]
    spans = [_span([10, 60, 110, 35], off), _span([10, 60, 110], t=5), _span([10, 60, 110, 35], off, t=10)]
    assert assign_ids(spans, max_distance=30, rejoin_max_distance=12)[2][3] == "p04"


def test_two_returning_people_get_their_own_ids():
    spans = [_span([10, 60, 110, 160]), _span([10, 60], t=5), _span([10, 60, 161, 108], t=10)]
    assert assign_ids(spans, max_distance=30, rejoin_max_distance=12)[2] == ["p00", "p01", "p03", "p02"]
