"""Give tiles person ids that follow a person across layout spans.

Why: when the gallery reflows, a person's tile moves and changes size. Each tile carries a tiny
colour thumbnail of its picture at the start and at the end of its span (scale-free); the tiles of
a new span are matched to those of the previous span by thumbnail distance (optimal assignment).
A match farther than ``max_distance`` grey levels is a different person and gets a new id.
Ids are ``p00``, ``p01``, ... in row-major order of first appearance.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from engage.layout.spans import ClosedSpan


def assign_ids(spans: list[ClosedSpan], *, max_distance: float) -> list[list[str]]:
    """Person id of every tile of every span (tiles are row-major inside a span)."""
    ids: list[list[str]] = []
    next_id = 0
    for k, span in enumerate(spans):
        cur: list[str | None] = [None] * len(span.rects)
        if k > 0 and spans[k - 1].rects and span.rects:
            prev = spans[k - 1]
            cost = np.array([[float(np.abs(a - b).mean()) for b in span.sig_start] for a in prev.sig_end])
            rows, cols = linear_sum_assignment(cost)
            for r, c in zip(rows, cols):
                if cost[r, c] <= max_distance:
                    cur[c] = ids[k - 1][r]
        for i in range(len(cur)):
            if cur[i] is None:
                cur[i] = f"p{next_id:02d}"
                next_id += 1
        ids.append([str(c) for c in cur])
    return ids
