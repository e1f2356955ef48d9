"""Give tiles person ids that follow a person across layout spans.

Why: when the gallery reflows, a person's tile moves and changes size. Each tile carries a tiny
colour thumbnail of its picture at the start and at the end of its span (scale-free); the tiles of
a new span are matched to those of the previous span by thumbnail distance (optimal assignment).
A match farther than ``max_distance`` grey levels is a different person. Tiles still unmatched are
then compared with people seen earlier who are not in the gallery now (left and came back, e.g.
after a dropped connection): a camera-on tile within ``rejoin_max_distance`` of such a person's
last picture gets that person's id back. Camera-off tiles never rejoin (uniform tiles with initials
look alike for everyone). Everything else gets a new id; ids are ``p00``, ``p01``, ... in row-major
order of first appearance.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.optimize import linear_sum_assignment

from engage.layout.spans import ClosedSpan

log = logging.getLogger(__name__)


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


def _match(cost: np.ndarray, limit: float) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs (row, column) whose cost is at most ``limit``."""
    if cost.size == 0:
        return []
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] <= limit]


def assign_ids(spans: list[ClosedSpan], *, max_distance: float, rejoin_max_distance: float = 0.0) -> list[list[str]]:
    """Person id of every tile of every span (tiles are row-major inside a span).

    ``rejoin_max_distance`` <= 0 disables giving returning people their earlier id.
    """
    ids: list[list[str]] = []
    last_seen: dict[str, tuple[np.ndarray, bool]] = {}  # person -> (latest end thumbnail, camera on)
    next_id = 0
    for k, span in enumerate(spans):
        cur: list[str | None] = [None] * len(span.rects)
        if k > 0 and spans[k - 1].rects and span.rects:
            prev = spans[k - 1]
            cost = np.array([[_distance(a, b) for b in span.sig_start] for a in prev.sig_end])
            for r, c in _match(cost, max_distance):
                cur[c] = ids[k - 1][r]
        if rejoin_max_distance > 0:
            open_tiles = [i for i, pid in enumerate(cur) if pid is None and span.camera_on[i]]
            away = [p for p, (_, cam) in last_seen.items() if cam and p not in cur]
            cost = np.array([[_distance(last_seen[p][0], span.sig_start[i]) for i in open_tiles] for p in away])
            for r, c in _match(cost.reshape(len(away), len(open_tiles)), rejoin_max_distance):
                cur[open_tiles[c]] = away[r]
                log.info("span %d (from %.1f s): %s is back (picture %.1f grey levels from when last seen)",
                         k, span.t_first, away[r], cost[r, c])
        for i in range(len(cur)):
            if cur[i] is None:
                cur[i] = f"p{next_id:02d}"
                next_id += 1
        ids.append([str(c) for c in cur])
        for pid, sig, cam in zip(ids[-1], span.sig_end, span.camera_on):
            last_seen[pid] = (sig, bool(cam))
    return ids
