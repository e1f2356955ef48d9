"""Snap tile rectangles to the exact pixel edges of the full-resolution picture.

Why: the grid is fitted on frames downscaled up to 2x, so its edges are only accurate to a few
display pixels, and an edge that the picture hides (a dark picture on a dark gutter) can be off by
a gutter. A few full-resolution frames of the span settle every edge: near each fitted edge, the
exact edge is where a run of *background* columns (static, of the gutter's colour, in every frame)
ends and the picture begins, or, between touching tiles, the strongest persistent brightness step.
Edges that neither finds are placed from the opposite edge and the grid's common tile size (the
tiles of one gallery have one size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

Rect = tuple[int, int, int, int]  # x, y, w, h in display pixels

#: Grey levels: largest spread over the frames of a static pixel, and distance to the gutter level.
STATIC_TOL = 6
BG_TOL = 6
#: Mean grey step (levels) an edge found by its step alone needs to count as found.
MIN_STEP = 6.0
#: Strength of an edge seen at a gutter boundary or on the frame border (steps are weaker).
SURE = 255.0
#: Gutter columns next to a picture that codec ringing may have tinted.
RINGING = 4


@dataclass
class _Edge:
    pos: int
    found: bool  # located by evidence (not only kept where the fit put it)
    strength: float  # higher is surer (a gutter boundary beats any step)


class FrameStack:
    """The span's full-resolution frames: grey levels, and which pixels look like background."""

    def __init__(self, frames: list[np.ndarray], rects: list[Rect], ring: int = 12):
        self.grey = np.stack([cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in frames]).astype(np.float32)
        self.h, self.w = self.grey.shape[1:3]
        # grey, not colour: yuv420 chroma and codec ringing tint the gutter pixels next to a picture
        static = (self.grey.max(axis=0) - self.grey.min(axis=0)) <= STATIC_TOL
        self.bg_level = _background_level(self.grey[0], static, rects, ring)
        if self.bg_level is None:
            self.bg = np.zeros((self.h, self.w), bool)
        else:
            self.bg = static & (np.abs(self.grey[0] - self.bg_level) <= BG_TOL)

    def col_profiles(self, y0: int, y1: int, c0: int, c1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For columns ``c0..c1-1`` over rows ``y0..y1``: background fraction, step to the column
        before (median over frames of the mean absolute grey difference; 0 at column 0), and distance
        to the background level (median over frames of the mean absolute difference; 0 without one)."""
        bgf = self.bg[y0:y1, c0:c1].mean(axis=0)
        lo = max(c0 - 1, 0)
        g = self.grey[:, y0:y1, lo:c1]
        d = np.abs(np.diff(g, axis=2)).mean(axis=1)  # (frames, columns lo+1..c1-1)
        step = np.zeros(c1 - c0, np.float32)
        med = np.median(d, axis=0)
        step[c1 - c0 - len(med):] = med
        if self.bg_level is None:
            dev = np.zeros(c1 - c0, np.float32)
        else:
            dev = np.median(np.abs(self.grey[:, y0:y1, c0:c1] - self.bg_level).mean(axis=1), axis=0)
        return bgf, step, dev

    def transposed(self) -> "FrameStack":
        t = FrameStack.__new__(FrameStack)
        t.h, t.w = self.w, self.h
        t.grey = np.ascontiguousarray(self.grey.transpose(0, 2, 1))
        t.bg = np.ascontiguousarray(self.bg.T)
        t.bg_level = self.bg_level
        return t


def _background_level(grey: np.ndarray, static: np.ndarray, rects: list[Rect], ring: int) -> float | None:
    """Grey level of the gutters: the static pixels in a ring around the (roughly placed) tiles, when
    they are mostly one level (not the largest static area: shared slides are static too)."""
    H, W = static.shape
    near = np.zeros(static.shape, bool)
    inner = np.zeros(static.shape, bool)
    for x, y, w, h in rects:
        near[max(0, y - ring):min(H, y + h + ring), max(0, x - ring):min(W, x + w + ring)] = True
        inner[max(0, y):y + h, max(0, x):x + w] = True
    sel = near & ~inner & static
    if sel.sum() < 50:
        return None
    pix = grey[sel]
    med = float(np.median(pix))
    return med if float((np.abs(pix - med) <= BG_TOL).mean()) >= 0.5 else None


def _snap_edge(fs: FrameStack, e0: int, lo_side: bool, span: tuple[int, int], radius: int) -> _Edge:
    """Exact position of one vertical edge near ``e0`` (columns; rows ``span``).

    ``lo_side``: the tile lies right of the edge (a left edge); else left of it (a right edge).
    Edge position ``e`` is the first column after the boundary.
    """
    y0, y1 = span
    c0, c1 = max(0, e0 - radius - 3), min(fs.w, e0 + radius + 3)
    bgf, step, dev = fs.col_profiles(y0, y1, c0, c1)

    def frac(a: int, b: int) -> float:  # mean background fraction of columns a..b-1 (clipped)
        a, b = max(a, c0), min(b, c1)
        return float(bgf[a - c0:b - c0].mean()) if b > a else 0.0

    def inside(e):
        return (e, e + 2) if lo_side else (e - 2, e)

    def outside(e):
        return (e - 2, e) if lo_side else (e, e + 2)

    gutter, steps = [], []
    for e in range(max(0, e0 - radius), min(fs.w, e0 + radius) + 1):
        if frac(*inside(e)) > 0.35:
            continue  # the tile would start with background
        if e in (0, fs.w):
            steps.append((SURE, e))  # the frame border is an edge
            continue
        steps.append((float(step[e - c0]), e))
    # A run of background columns ends (left edges) or starts (right edges) at ``r``. Codec ringing
    # and blur smear the boundary over a few columns (a camera-off tile 10 grey levels above the
    # gutter ramps up over 5 columns): the edge is where the distance to the background level
    # first reaches half of its level inside the tile.
    for r in range(max(1, e0 - radius), min(fs.w - 1, e0 + radius) + 1):
        # scanned from the gutter side inwards, starting up to RINGING columns out inside the run
        # (the outer part of a blurred ramp is within the background tolerance)
        if lo_side and frac(r - 2, r) >= 0.4 and frac(r, r + 1) < 0.4:
            out = r - 1
            while out - 1 >= c0 and r - 1 - (out - 1) <= RINGING and frac(out - 1, out) >= 0.4:
                out -= 1
            cols = range(out, r + RINGING + 1)
            inner = [r + RINGING + k for k in (1, 2, 3)]
        elif not lo_side and frac(r, r + 2) >= 0.4 and frac(r - 1, r) < 0.4:
            out = r
            while out + 1 < c1 and out + 1 - r <= RINGING and frac(out + 1, out + 2) >= 0.4:
                out += 1
            cols = range(out, r - RINGING - 1, -1)  # the edge is after the hit column
            inner = [r - RINGING - k for k in (2, 3, 4)]
        else:
            continue
        level = np.median([dev[c - c0] for c in inner if c0 <= c < c1]) if any(c0 <= c < c1 for c in inner) else 0.0
        hit = next((c for c in cols if c0 <= c < c1 and dev[c - c0] >= 0.5 * level), None)
        if level <= 0 or hit is None:
            continue
        e = hit if lo_side else hit + 1
        if frac(*inside(e)) <= 0.35:
            gutter.append(e)
    if gutter:
        e = min(gutter, key=lambda g: (abs(g - e0), g))
        return _Edge(e, True, 1000.0)
    if steps:
        s, e = max(steps, key=lambda v: (v[0], -abs(v[1] - e0)))
        rivals = [v for v, p in steps if abs(p - e) > 1]
        if s >= MIN_STEP and s >= 1.5 * max(rivals, default=0.0):
            return _Edge(e, True, s)
    return _Edge(e0, False, 0.0)


def _snap_axis(fs: FrameStack, rects: list[Rect], radius: int) -> list[tuple[_Edge, _Edge]]:
    """Left and right edges of every tile (x axis of ``fs``)."""
    out = []
    for x, y, w, h in rects:
        span = (max(0, y + h // 10), min(fs.h, y + h - h // 10))
        r = min(radius, max(1, w // 8))
        out.append((_snap_edge(fs, x, True, span, r), _snap_edge(fs, x + w, False, span, r)))
    return out


def _neighbours(rects: list[Rect]) -> list[tuple[int, int]]:
    """Pairs (i, j): tile j is the next tile right of tile i in the same row (x axis)."""
    pairs = []
    for i, (x, y, w, h) in enumerate(rects):
        right = [j for j, (x2, y2, w2, h2) in enumerate(rects)
                 if j != i and x2 > x and min(y + h, y2 + h2) - max(y, y2) >= 0.5 * min(h, h2)]
        if right:
            pairs.append((i, min(right, key=lambda j: rects[j][0])))
    return pairs


def _common_gap(edges: list[tuple[_Edge, _Edge]], rects: list[Rect]) -> int | None:
    """Median gap between row neighbours whose facing edges are both sure (None without any)."""
    gaps = [edges[j][0].pos - edges[i][1].pos for i, j in _neighbours(rects)
            if edges[i][1].strength >= SURE and edges[j][0].strength >= SURE
            and 0 <= edges[j][0].pos - edges[i][1].pos < min(rects[i][2], rects[j][2]) / 2]
    return int(np.median(gaps)) if gaps else None


def _regularize(edges: list[tuple[_Edge, _Edge]], rects: list[Rect], gap_hint: int | None = None) -> list[tuple[int, int]]:
    """``(start, size)`` per tile along x: the tiles of a grid share one size and one gap.

    A tile whose two edges were both seen at a gutter (or the frame border, *sure* edges) and
    are the common size apart is an anchor. Every other tile is placed by a vote between its own
    edges (a sure edge, or weaker an edge seen by its step alone, which may be an edge inside
    the picture such as a door frame) and where its row neighbours put it (neighbour + common
    gap): a dark picture on a dark gutter hides its own edges, or shows a false one inside the
    picture, but not its neighbours' edges. ``gap_hint``: the other axis' gap, for rows whose own
    gaps are all hidden (galleries keep one gutter width both ways).
    """
    def sure(e: _Edge) -> bool:
        return e.found and e.strength >= SURE

    def found(e: _Edge) -> bool:
        return e.found

    level = sure
    sizes = [b.pos - a.pos for a, b in edges if sure(a) and sure(b)]
    if not sizes:  # touching tiles: no gutter anywhere, steps are all there is
        level = found
        sizes = [b.pos - a.pos for a, b in edges if a.found and b.found]
    if not sizes:
        return [(a.pos, b.pos - a.pos) for a, b in edges]
    s0 = int(np.median(sizes))
    tol = max(1, s0 // 300)
    pairs = _neighbours(rects)
    gaps = [edges[j][0].pos - edges[i][1].pos for i, j in pairs
            if level(edges[i][1]) and level(edges[j][0]) and 0 <= edges[j][0].pos - edges[i][1].pos < s0 / 2]
    g0 = int(np.median(gaps)) if gaps else gap_hint
    left_of = {j: i for i, j in pairs}
    right_of = dict(pairs)
    # tiles of other rows in the same column (a filmstrip column has no row neighbours)
    near = max(4, s0 // 20)
    column = [[j for j, r in enumerate(rects) if j != i and abs(r[0] - q[0]) <= near
               and min(q[1] + q[3], r[1] + r[3]) - max(q[1], r[1]) <= 0] for i, q in enumerate(rects)]
    start: list[int | None] = [None] * len(edges)
    for i, (a, b) in enumerate(edges):
        if level(a) and level(b) and abs(b.pos - a.pos - s0) <= tol:
            start[i] = a.pos
    anchors = [v is not None for v in start]

    def vote(i: int, placed: list[bool]) -> int | None:
        a, b = edges[i]
        cands = []
        for e, pos in ((a, a.pos), (b, b.pos - s0)):
            if e.found:
                cands.append((pos, 0.9 if level(e) else 0.4))
        if g0 is not None:
            j = left_of.get(i)
            if j is not None and placed[j]:
                cands.append((start[j] + s0 + g0, 1.0))
            j = right_of.get(i)
            if j is not None and placed[j]:
                cands.append((start[j] - g0 - s0, 1.0))
        cands += [(start[j], 0.8) for j in column[i] if placed[j]]
        if not cands:
            return None
        return max(((sum(w for q, w in cands if abs(q - p) <= tol), -k, p) for k, (p, _w) in enumerate(cands)))[2]

    placed = list(anchors)
    changed = True
    while changed:  # anchors first, then outwards along the rows
        changed = False
        now = list(placed)
        for i in range(len(edges)):
            if not now[i]:
                v = vote(i, now)
                if v is not None:
                    start[i], placed[i], changed = v, True, True
    return [(start[i] if start[i] is not None else a.pos + (b.pos - a.pos - s0) // 2, s0)
            for i, (a, b) in enumerate(edges)]


def _apart(placed: list[tuple[int, int]], rects: list[Rect]) -> list[tuple[int, int]]:
    """``placed`` with no tile moved onto its row neighbour: tiles of a gallery never overlap.

    Why: a tile whose own edges are hidden (a dark picture on the dark gutter) and that has no
    neighbour with a measured gap to place it by takes the strongest step near its fitted edge,
    which can be the neighbour's bright picture. Such a tile keeps the fitted position (the one of
    the pair that moved more from it goes back).
    """
    out = list(placed)
    for i, j in _neighbours(rects):
        (a, wa), (b, _wb) = out[i], out[j]
        if b < a + wa and not rects[j][0] < rects[i][0] + rects[i][2]:
            k = max((i, j), key=lambda t: abs(out[t][0] - rects[t][0]))
            out[k] = (rects[k][0], out[k][1])
    return out


def snap_rects(rects: list[Rect], frames: list[np.ndarray], scale: float) -> list[Rect]:
    """Rectangles moved to the exact pixel edges of ``frames`` (full resolution, same span).

    ``scale``: display pixels per analysis pixel (the search radius grows with it).
    """
    if not rects or not frames:
        return list(rects)
    radius = int(math.ceil(5 * scale)) + 2
    fs = FrameStack(frames, rects, radius)
    trects = [(y, x, h, w) for x, y, w, h in rects]
    ex, ey = _snap_axis(fs, rects, radius), _snap_axis(fs.transposed(), trects, radius)
    xs = _apart(_regularize(ex, rects, _common_gap(ey, trects)), rects)
    ys = _apart(_regularize(ey, trects, _common_gap(ex, rects)), trects)
    out = []
    for (x, w), (y, h) in zip(xs, ys):
        x, y = max(0, x), max(0, y)
        w, h = min(w, fs.w - x), min(h, fs.h - y)
        out.append((int(x), int(y), int(w), int(h)))
    return out
