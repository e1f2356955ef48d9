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

Names read from the tiles (engage.layout.names) are stronger evidence than pictures, which change
when someone moves, turns the lights on or switches cameras: a name read on a tile of the previous
span, or on someone away now, keeps that person's id whatever the thumbnails say (camera-off tiles
included), and two different names are never one person. A name counts only when it is on one
tile of its span (two "iPad" tiles are not evidence).
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.optimize import linear_sum_assignment

from engage.layout.spans import ClosedSpan
from engage.naming import unique_names

log = logging.getLogger(__name__)


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


def _match(cost: np.ndarray, limit: float) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs (row, column) whose cost is at most ``limit``."""
    if cost.size == 0:
        return []
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] <= limit]


def assign_ids(spans: list[ClosedSpan], *, max_distance: float, rejoin_max_distance: float = 0.0,
               names: list[list[str | None]] | None = None) -> list[list[str]]:
    """Person id of every tile of every span (tiles are row-major inside a span).

    ``rejoin_max_distance`` <= 0 disables giving returning people their earlier id from the
    picture alone. ``names``: per span and tile, the normalised name read on the tile, or None.
    """
    ids: list[list[str]] = []
    last_seen: dict[str, tuple[np.ndarray, bool]] = {}  # person -> (latest end thumbnail, camera on)
    person_name: dict[str, str] = {}  # person -> the name last read on their tile
    next_id = 0
    for k, span in enumerate(spans):
        keys = unique_names(list(names[k])) if names else [None] * len(span.rects)
        cur: list[str | None] = [None] * len(span.rects)
        if k > 0 and spans[k - 1].rects and span.rects:
            prev = spans[k - 1]
            prev_keys = unique_names(list(names[k - 1])) if names else [None] * len(prev.rects)
            cost = np.array([[_distance(a, b) for b in span.sig_start] for a in prev.sig_end])
            allowed = cost <= max_distance
            for r, a in enumerate(prev_keys):
                for c, b in enumerate(keys):
                    if a and b:
                        same = a == b
                        allowed[r, c] = same
                        cost[r, c] = -1e3 if same else 1e6  # the same name binds, a different one forbids
            for r, c in _match(cost, np.inf):
                if allowed[r, c]:
                    cur[c] = ids[k - 1][r]
        # people away now: the same name brings their id back, whatever the picture
        for i, key in enumerate(keys):
            if cur[i] is None and key:
                back = [p for p, n in person_name.items() if n == key and p not in cur]
                if len(back) == 1:
                    cur[i] = back[0]
                    log.info("span %d (from %.1f s): %s is back (name %r)", k, span.t_first, back[0], key)
        if rejoin_max_distance > 0:
            open_tiles = [i for i, pid in enumerate(cur) if pid is None and span.camera_on[i]]
            away = [p for p, (_, cam) in last_seen.items() if cam and p not in cur]
            cost = np.array([[_distance(last_seen[p][0], span.sig_start[i]) for i in open_tiles] for p in away])
            cost = cost.reshape(len(away), len(open_tiles))
            for r, p in enumerate(away):  # a different name is a different person
                for c, i in enumerate(open_tiles):
                    if keys[i] and person_name.get(p) and keys[i] != person_name[p]:
                        cost[r, c] = np.inf
            for r, c in _match(np.where(np.isfinite(cost), cost, 1e9), rejoin_max_distance):
                cur[open_tiles[c]] = away[r]
                log.info("span %d (from %.1f s): %s is back (picture %.1f grey levels from when last seen)",
                         k, span.t_first, away[r], cost[r, c])
        for i in range(len(cur)):
            if cur[i] is None:
                cur[i] = f"p{next_id:02d}"
                next_id += 1
        ids.append([str(c) for c in cur])
        for pid, sig, cam, key in zip(ids[-1], span.sig_end, span.camera_on, keys):
            last_seen[pid] = (sig, bool(cam))
            if key:
                person_name[pid] = key
    return ids
