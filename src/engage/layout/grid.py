"""Fit a gallery grid (rows of equal tiles) to accumulated edge evidence.

Method (docs/layout.md): candidate row lines are peaks of the horizontal-line profile; every pair of
candidate lines is a possible row band; inside a band, candidate column lines are peaks of the
vertical-line profile and every pair of them is a possible tile. A tile is kept when its four sides
are supported by line evidence (frame borders count as neutral support), its aspect ratio is plausible and
it is not background. The grid is the set of non-overlapping tiles of one common size (Zoom, Teams
and Meet galleries use equal tiles; incomplete rows may sit anywhere, e.g. centred) with the largest
total support. Nothing assumes a tile count, a gutter width or a position of the block.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from engage.layout.evidence import Evidence, line_maps


@dataclass(frozen=True)
class FitParams:
    """Thresholds of the grid fit (analysis pixels are the downscaled frame)."""

    min_step: float = 1.5  # grey levels: weaker mean steps are not lines
    strong_step: float = 10.0  # grey levels: a mean step this large is a full-strength line
    contrast: float = 1.25  # a line's step vs the smaller of the steps two pixels away
    min_run: int = 12  # analysis pixels: shorter straight edge runs are picture texture
    min_side_support: float = 0.1  # every tile side: fraction of its length on a line
    min_mean_support: float = 0.55  # mean over the four sides
    aspect_min: float = 0.9  # tile width / height
    aspect_max: float = 2.4
    min_tile_frac: float = 0.1  # smallest tile side as a fraction of the frame's height
    border_support: float = 0.6  # support credited to a tile side lying on the frame border
    max_candidates: int = 24  # candidate lines kept per direction (rows; columns per row band)
    bg_tol: float = 6.0  # grey levels: colour distance to the background colour
    size_tol: float = 0.03  # relative tolerance for "equal" tile sizes


Rect = tuple[int, int, int, int]  # x, y, w, h in analysis pixels


class SupportMaps:
    """Line maps with prefix sums, so the support of any tile side costs O(1).

    Edge position ``e`` is the first pixel row/column after the boundary; positions 0 and the
    frame size are the frame borders and always count as supported.
    """

    def __init__(self, hl: np.ndarray, vl: np.ndarray, border: float = 0.6):
        h, w = hl.shape[0] + 1, hl.shape[1]
        self.h, self.w = h, w
        eh = np.zeros((h + 1, w), np.float32)
        eh[1:h] = hl
        eh[0] = eh[h] = border
        ev = np.zeros((h, w + 1), np.float32)
        ev[:, 1:w] = vl
        ev[:, 0] = ev[:, w] = border
        self.eh_raw, self.ev_raw = eh, ev
        ehd = eh.copy()
        ehd[1:] = np.maximum(ehd[1:], eh[:-1])
        ehd[:-1] = np.maximum(ehd[:-1], eh[1:])
        evd = ev.copy()
        evd[:, 1:] = np.maximum(evd[:, 1:], ev[:, :-1])
        evd[:, :-1] = np.maximum(evd[:, :-1], ev[:, 1:])
        self.ch = np.zeros((h + 1, w + 1), np.float32)  # along x, dilated
        self.ch[:, 1:] = np.cumsum(ehd, axis=1)
        self.cv = np.zeros((h + 1, w + 1), np.float32)  # along y, dilated
        self.cv[1:, :] = np.cumsum(evd, axis=0)
        self.cv_raw = np.zeros((h + 1, w + 1), np.float32)
        self.cv_raw[1:, :] = np.cumsum(ev, axis=0)

    def hside(self, e: int, x0: int, x1: int) -> float:
        m = max(1, (x1 - x0) // 10)
        a, b = x0 + m, x1 - m
        return float(self.ch[e, b] - self.ch[e, a]) / max(b - a, 1)

    def vside(self, e: int, y0: int, y1: int) -> float:
        m = max(1, (y1 - y0) // 10)
        a, b = y0 + m, y1 - m
        return float(self.cv[b, e] - self.cv[a, e]) / max(b - a, 1)

    def sides(self, x: int, y: int, w: int, h: int) -> tuple[float, float, float, float]:
        return (self.hside(y, x, x + w), self.hside(y + h, x, x + w), self.vside(x, y, y + h), self.vside(x + w, y, y + h))

    def row_profile(self) -> np.ndarray:
        return self.eh_raw.mean(axis=1)

    def col_profile(self, y0: int, y1: int) -> np.ndarray:
        m = max(1, (y1 - y0) // 10)
        a, b = y0 + m, y1 - m
        return (self.cv_raw[b] - self.cv_raw[a]) / max(b - a, 1)


def support_maps(mdy: np.ndarray, mdx: np.ndarray, params: FitParams) -> SupportMaps:
    hl, vl = line_maps(mdy, mdx, min_step=params.min_step, strong_step=params.strong_step, contrast=params.contrast,
                        min_run=params.min_run)
    return SupportMaps(hl, vl, params.border_support)


def _peaks(profile: np.ndarray, threshold: float, keep: int) -> np.ndarray:
    """Local maxima of a 1-D profile, strongest ``keep`` (ends always included as frame borders)."""
    p = np.asarray(profile)
    n = len(p) - 1
    c = p[1:n]
    ok = (c >= threshold) & (c >= p[:n - 1]) & (c > p[2:])
    idx = np.nonzero(ok)[0] + 1
    if len(idx) > keep:
        idx = idx[np.argsort(-p[idx], kind="stable")[:keep]]
    return np.unique(np.concatenate([[0], idx, [n]])).astype(np.int64)


def background_color(ev: Evidence, tol: float) -> np.ndarray | None:
    """Colour of a static uniform surround (letterbox/margins), or None when tiles reach the border."""
    mean = ev.mean_frame()
    std = ev.temporal_std()
    ring = np.concatenate([mean[:2].reshape(-1, 3), mean[-2:].reshape(-1, 3), mean[:, :2].reshape(-1, 3), mean[:, -2:].reshape(-1, 3)])
    ring_std = np.concatenate([std[:2].ravel(), std[-2:].ravel(), std[:, :2].ravel(), std[:, -2:].ravel()])
    med = np.median(ring, axis=0)
    close = (np.abs(ring - med).max(axis=1) <= tol) & (ring_std <= 2.0)
    return med if close.mean() >= 0.5 else None


def _integral(mask: np.ndarray) -> np.ndarray:
    """Integral image of a boolean mask: the count inside any rectangle costs four lookups."""
    ii = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), np.float32)
    ii[1:, 1:] = np.cumsum(np.cumsum(mask, axis=0), axis=1)
    return ii


def background_integral(ev: Evidence, bg: np.ndarray | None, tol: float) -> np.ndarray | None:
    """Integral image of "background" pixels: static and of the background colour."""
    if bg is None:
        return None
    return _integral((np.abs(ev.mean_frame() - bg).max(axis=2) <= tol) & (ev.temporal_std() <= 2.0))


def _mask_fraction(ii: np.ndarray | None, x: int, y: int, w: int, h: int) -> float:
    """Fraction of the rectangle's pixels set in the mask of the integral image ``ii`` (0 without one)."""
    if ii is None:
        return 0.0
    s = ii[y + h, x + w] - ii[y, x + w] - ii[y + h, x] + ii[y, x]
    return float(s) / max(w * h, 1)


def _mask_fractions(ii: np.ndarray | None, x: np.ndarray, y, w: np.ndarray, h) -> np.ndarray:
    """Vectorised :func:`_mask_fraction` (``x``, ``w`` arrays; ``y``, ``h`` scalars or arrays)."""
    if ii is None:
        return np.zeros(len(x), np.float32)
    s = ii[y + h, x + w] - ii[y, x + w] - ii[y + h, x] + ii[y, x]
    return s / np.maximum(w * h, 1)


def _gutters_inside(ii: np.ndarray | None, x: np.ndarray, y: int, w: np.ndarray, h: int) -> np.ndarray:
    """A strip along one side that is mostly background: the rectangle swallowed a gutter."""
    if ii is None:
        return np.zeros(len(x), bool)
    bx, by = np.maximum(2, w // 25), max(2, h // 25)
    return ((_mask_fractions(ii, x, y, bx, h) >= 0.8) | (_mask_fractions(ii, x + w - bx, y, bx, h) >= 0.8)
            | (_mask_fractions(ii, x, y, w, by) >= 0.8) | (_mask_fractions(ii, x, y + h - by, w, by) >= 0.8))


def candidate_tiles(sm: SupportMaps, bg_ii: np.ndarray | None, params: FitParams) -> list[tuple[int, int, int, int, float]]:
    """Every plausible tile ``(x, y, w, h, quality)`` between candidate lines.

    quality = mean side support - 0.5 - excess over 0.5 of the strongest candidate line crossing the
    tile's middle 70 % (a union of tiles is not a tile) - twice the
    fraction of background pixels inside (a tile does not contain gutter); a tile needs every side
    at least ``min_side_support`` and quality >= ``min_mean_support`` - 0.5.
    """
    H, W = sm.h, sm.w
    min_side = max(8, int(params.min_tile_frac * H))
    ys = _peaks(sm.row_profile(), 0.08, params.max_candidates)
    inner_ys = ys[1:-1]
    out = []
    for i, t in enumerate(ys):
        for b in ys[i + 1:]:
            h = int(b - t)
            if h < min_side:
                continue
            if params.aspect_max * h < min_side:
                continue
            xs = _peaks(sm.col_profile(int(t), int(b)), params.min_side_support, params.max_candidates)
            left, right = np.meshgrid(xs, xs, indexing="ij")
            w = right - left
            ok = (w >= params.aspect_min * h) & (w <= params.aspect_max * h) & (w >= min_side)
            if not ok.any():
                continue
            L, R = left[ok], right[ok]
            m = np.maximum(1, (R - L) // 10)
            a, bb = L + m, R - m
            span = np.maximum(bb - a, 1)
            top = (sm.ch[t, bb] - sm.ch[t, a]) / span
            bot = (sm.ch[b, bb] - sm.ch[b, a]) / span
            my = max(1, h // 10)
            vcol = (sm.cv[b - my] - sm.cv[t + my]) / max(h - 2 * my, 1)
            lft, rgt = vcol[L], vcol[R]
            sides = np.stack([top, bot, lft, rgt], axis=1)
            good = (sides.min(axis=1) >= params.min_side_support) & (sides.mean(axis=1) >= params.min_mean_support)
            if not good.any():
                continue
            L, R, a, bb, span, sides = L[good], R[good], a[good], bb[good], span[good], sides[good]
            # strongest candidate line running through the tile's middle 70 % (two tiles in one?)
            split = np.zeros(len(L), np.float32)
            hy = inner_ys[(inner_ys > t + 0.15 * h) & (inner_ys < b - 0.15 * h)]
            if len(hy):
                split = ((sm.ch[hy][:, bb] - sm.ch[hy][:, a]) / span).max(axis=0)
            vx = xs[1:-1]
            wv = (R - L).astype(np.float32)
            inside = (vx[None, :] > L[:, None] + 0.15 * wv[:, None]) & (vx[None, :] < R[:, None] - 0.15 * wv[:, None])
            if inside.any():
                split = np.maximum(split, np.where(inside, vcol[vx][None, :], 0.0).max(axis=1))
            q = sides.mean(axis=1) - 0.5 - np.maximum(0.0, split - 0.5)
            wv = (R - L).astype(np.int64)
            bgf = _mask_fractions(bg_ii, L, t, wv, h)
            q = q - 2.0 * bgf
            keep = (q >= params.min_mean_support - 0.5) & (bgf < 0.6) & ~_gutters_inside(bg_ii, L, t, wv, h)
            out.extend((int(L[k]), int(t), int(wv[k]), h, float(q[k])) for k in np.nonzero(keep)[0])
    return out


def _best_row(tiles: list[tuple[int, int, int, int, float]]) -> tuple[float, list]:
    """Non-overlapping tiles of one band with the largest total score (interval scheduling)."""
    tiles = sorted(tiles, key=lambda r: r[0] + r[2])
    ends = [r[0] + r[2] for r in tiles]
    best = [(0.0, [])]
    for k, r in enumerate(tiles):
        j = bisect.bisect_right(ends, r[0], 0, k)
        take = (best[j][0] + r[4] * r[2] * r[3], best[j][1] + [r])
        best.append(max(best[-1], take, key=lambda v: v[0]))
    return best[-1]


#: Completion: a free slot may overlap a found tile by this many analysis pixels (a tile fitted with
#: the gutter in it, 4 display pixels at 1920 wide, must not hide its neighbour's place).
SLOT_OVERLAP_PX = 2

#: Completion: a slot whose lines across it (a row's top/bottom, a column's left/right) are this
#: weak needs a live picture inside.
WEAK_CROSS_LINES = 0.1
#: Completion and filmstrips: fraction of a tile's central pixels that must change over the span.
LIVE_FRACTION = 0.3


def live_integral(ev: Evidence, min_std: float = 2.0) -> np.ndarray:
    """Integral image of pixels that changed over the span (exact temporal std above codec noise)."""
    return _integral(ev.exact_temporal_std() > min_std)


def _is_live(live_ii: np.ndarray, x: int, y: int, w: int, h: int) -> bool:
    """At least ``LIVE_FRACTION`` of the rectangle's central 80 % changed over the span."""
    mx, my = w // 10, h // 10
    return _mask_fraction(live_ii, x + mx, y + my, w - 2 * mx, h - 2 * my) >= LIVE_FRACTION


#: Mean tile quality (mean side support - 0.5) a strip of small tiles needs to win over one big tile.
STRIP_MIN_QUALITY = 0.25


def _size_seeds(cands, params: FitParams, n_sizes: int) -> list[tuple[int, int]]:
    """Up to ``n_sizes`` distinct tile sizes (± ``size_tol``) of the largest well-supported candidates."""
    seeds: list[tuple[int, int]] = []
    for c in sorted(cands, key=lambda c: -c[4] * c[2] * c[3]):
        if all(abs(c[2] - w) > params.size_tol * w or abs(c[3] - h) > params.size_tol * h for w, h in seeds):
            seeds.append((c[2], c[3]))
        if len(seeds) >= n_sizes:
            break
    return seeds


def _grid_of_size(cands, params: FitParams, w0: int, h0: int) -> tuple[float, list]:
    """The non-overlapping rows of tiles of size ~(w0, h0) with the largest total score."""
    tw, th = max(2, params.size_tol * w0), max(2, params.size_tol * h0)
    sel = [c for c in cands if abs(c[2] - w0) <= tw and abs(c[3] - h0) <= th]
    bands: dict[tuple[int, int], list] = {}
    for c in sel:
        bands.setdefault((c[1], c[1] + c[3]), []).append(c)
    rows = sorted(((t, b, *_best_row(ts)) for (t, b), ts in bands.items()), key=lambda r: r[1])
    ends = [r[1] for r in rows]
    dp = [(0.0, [])]
    for k, (t, b, score, tiles) in enumerate(rows):
        j = bisect.bisect_right(ends, t, 0, k)
        take = (dp[j][0] + score, dp[j][1] + tiles)
        dp.append(max(dp[-1], take, key=lambda v: v[0]))
    return dp[-1]


def _best_strip(cands, big, params: FitParams, n_sizes: int, live_ii: np.ndarray) -> tuple[float, list] | None:
    """The best filmstrip beside the big rectangle ``big``, or None (see :func:`select_grid`)."""
    bx, by, bw, bh = big[:4]
    strips = []
    # One side at a time (right, left, above, below the big picture): a strip lies wholly on one side
    # of it; candidates from different sides (slide text above, webcams at the right) must not make a
    # grid together.
    for side in (lambda c: c[0] >= bx + bw - 2, lambda c: c[0] + c[2] <= bx + 2,
                 lambda c: c[1] + c[3] <= by + 2, lambda c: c[1] >= by + bh - 2):
        beside = [c for c in cands if side(c)]
        for w0, h0 in _size_seeds(beside, params, n_sizes):
            g = _grid_of_size(beside, params, w0, h0)
            if len(g[1]) < 2 or float(np.mean([c[4] for c in g[1]])) < STRIP_MIN_QUALITY:
                continue
            xs, ys = [c[0] for c in g[1]], [c[1] for c in g[1]]
            if max(xs) - min(xs) > 2 and max(ys) - min(ys) > 2:
                continue  # a strip is one column or one row of aligned tiles, not texture pieces
            live = [_is_live(live_ii, x, y, w, h) for x, y, w, h, _q in g[1]]
            if 2 * sum(live) >= len(live):
                strips.append(g)
    return max(strips, key=lambda g: g[0]) if strips else None


def select_grid(cands: list[tuple[int, int, int, int, float]], params: FitParams, n_sizes: int = 12,
                live_ii: np.ndarray | None = None, content: list | None = None) -> tuple[float, list[Rect]]:
    """Choose one tile size and the non-overlapping rows of that size with the largest score.

    Score = sum over tiles of quality x area, so a grid that explains the frame with well-supported
    tiles beats both one big box and a scatter of small texture rectangles. Exception: when the
    winner is one big rectangle and, beside it (not inside), a strip of at least two equal, clearly
    bordered small tiles exists, the strip wins: a shared screen or a speaker view with its
    filmstrip, where the people are the strip (the big picture is content, or a copy of whoever
    speaks). At least half of the strip's tiles must hold a live picture (``live_ii``; camera-off
    people in a strip are static): still text and shapes of the content do not make a strip.
    ``content``, when given, receives the big rectangle beside a winning strip.
    """
    if not cands:
        return 0.0, []
    seeds = _size_seeds(cands, params, n_sizes)
    best: tuple[float, list] = (0.0, [])
    for w0, h0 in seeds:
        g = _grid_of_size(cands, params, w0, h0)
        if g[0] > best[0] + 1e-6:
            best = g
    if len(best[1]) == 1 and live_ii is not None:
        big = best[1][0]
        strip = _best_strip(cands, big, params, n_sizes, live_ii)
        if strip:
            best = strip
            if content is not None:
                content.append(tuple(big[:4]))
    rects = sorted(((c[0], c[1], c[2], c[3]) for c in best[1]), key=lambda r: (r[1], r[0]))
    return best[0], rects


def _drop_gutter_swallowers(rects: list[Rect], w0: int) -> list[Rect]:
    """With a gutter grid, a tile that touches its row neighbour has taken in a gutter: drop it.

    The typical gap is the median gap between row neighbours; in a row, of a pair closer than half
    of it, the tile that lines up worse with the other rows' columns (then: whose width is farther
    from the median) goes; completion re-adds it on the pitch.
    """
    # Gaps between row neighbours; a gap as wide as half a tile is an empty or undetected slot, not
    # a gutter, and must not inflate the typical gap (it would make real neighbours "touch").
    gaps = [g for a, b in zip(rects, rects[1:]) if a[1] == b[1] and (g := b[0] - (a[0] + a[2])) < w0 / 2]
    if len(gaps) < 2 or float(np.median(gaps)) < 2:
        return rects
    g = float(np.median(gaps))

    def misfit(r: Rect) -> tuple[bool, float, float]:
        # A tile wider than the common width by about a gutter is the swallower; otherwise the one
        # that lines up worse with the other rows' columns (a centred incomplete row lines up with
        # nothing, so width decides there).
        others = [o[0] for o in rects if o[1] != r[1]]
        return (r[2] - w0 > max(1.0, g / 2), min((abs(o - r[0]) for o in others), default=0.0), abs(r[2] - w0))

    drop = set()
    for a, b in zip(rects, rects[1:]):
        if a[1] == b[1] and b[0] - (a[0] + a[2]) < g / 2:
            drop.add(max((a, b), key=misfit))
    return [r for r in rects if r not in drop]


def _regularize_widths(rects: list[Rect], w0: int) -> list[Rect]:
    """Give an odd-width tile the common width, keeping the edge that lines up with other rows."""
    out = []
    for r in rects:
        x, y, w, h = r
        if abs(w - w0) <= max(2, 0.02 * w0):
            out.append(r)
            continue
        cols = [o[0] for o in rects if o[1] != y and abs(o[2] - w0) <= max(2, 0.02 * w0)]
        options = [(x, y, w0, h), (x + w - w0, y, w0, h)]
        out.append(min(options, key=lambda o: min((abs(c - o[0]) for c in cols), default=0)))
    return out


def complete_rows(rects: list[Rect], sm: SupportMaps, bg_ii: np.ndarray | None, params: FitParams,
                  live_ii: np.ndarray | None = None) -> list[Rect]:
    """Add tiles the regular grid implies but one invisible side hid (dark picture on dark gutter).

    The column pitch (tile width + gutter) is the median spacing of neighbouring tiles in the rows;
    a free slot one pitch left/right of a found tile in the same row is accepted when it is not
    background and either its top and bottom sides continue the row's lines, or they are weak but
    present and the slot holds a live picture (``live_ii``: most of its centre changes over the
    span; an empty grid place or a margin never does). A dark picture on a dark gutter can hide
    three of its four sides, but not that it moves.
    """
    if len(rects) == 1:
        return _complete_mirror(rects, sm, bg_ii, live_ii)
    if not rects:
        return rects
    w0 = int(np.median([r[2] for r in rects]))
    rects = _drop_gutter_swallowers(sorted(rects, key=lambda r: (r[1], r[0])), w0)
    # common width, shifted (not cut) back inside the frame where the wider tile would stick out
    rects = [(min(max(0, x), max(0, sm.w - w)), y, min(w, sm.w), h) for x, y, w, h in _regularize_widths(rects, w0)]
    h0 = int(np.median([r[3] for r in rects]))
    pitches = [b[0] - a[0] for a, b in zip(rects, rects[1:]) if a[1] == b[1] and b[0] > a[0]]
    pitches = [q for q in pitches if q <= 1.5 * w0 + 2]
    by_col = sorted(rects, key=lambda r: (r[0], r[1]))
    vpitches = [b[1] - a[1] for a, b in zip(by_col, by_col[1:]) if abs(a[0] - b[0]) <= 3 and 0 < b[1] - a[1] <= 1.5 * h0 + 2]
    # Galleries keep the same gutter between columns as between rows: one pitch gives the other
    # (2 + 1 people: no row has two neighbours; a vertical filmstrip: no row has two tiles at all).
    pitch = int(round(float(np.median(pitches)))) if pitches else None
    vpitch = int(round(float(np.median(vpitches)))) if vpitches else None
    if pitch is None and vpitch is None:
        # Rows without neighbours above each other either (2 + 1 centred): the gap between rows.
        row_tops = sorted({r[1] for r in rects})
        gaps = [b - (a + h0) for a, b in zip(row_tops, row_tops[1:]) if 0 <= b - (a + h0) < h0 / 2]
        if not gaps:
            return rects
        pitch = w0 + int(round(float(np.median(gaps))))
    if pitch is None:
        pitch = w0 + (vpitch - h0)
    if vpitch is None:
        vpitch = h0 + (pitch - w0)
    out = _drop_off_lattice(list(rects), pitch)
    # Rows first (calibrated on galleries; a slot on another row's column may move 1 pixel), then
    # columns (a filmstrip; a slot on another column's row stays exactly on it: row order).
    while _fill_slots(out, 0, pitch, 1, sm, bg_ii, live_ii) | _fill_slots(out, 1, vpitch, 0, sm, bg_ii, live_ii):
        pass
    return sorted(out, key=lambda r: (r[1], r[0]))


def _complete_mirror(rects: list[Rect], sm: SupportMaps, bg_ii: np.ndarray | None,
                     live_ii: np.ndarray | None) -> list[Rect]:
    """One tile found: look for its neighbour where a centred gallery puts it, the tile mirrored
    about the frame's middle (two people side by side, or one above the other).

    Why: with two people and a dark picture on the dark gutter, only the bright tile's edges show,
    and no pitch can be measured from one tile; meeting tools centre the gallery, so the other
    tile's place is the mirror of the first. It is accepted by the same tests as any completed slot
    (not background; the row's lines continue, or weakly around a live picture).
    """
    x, y, w, h = rects[0]
    out = list(rects)
    for axis, pos, size, limit in ((0, x, w, sm.w), (1, y, h, sm.h)):
        pitch = abs((limit - pos - size) - pos)
        if pitch >= size and _fill_slots(out, axis, pitch, 0, sm, bg_ii, live_ii, free_slack=0):
            break
    return sorted(out, key=lambda r: (r[1], r[0]))


def _drop_off_lattice(rects: list[Rect], pitch: int) -> list[Rect]:
    """Drop a tile that sits off the column lattice (a whole number of pitches from the other tiles).

    Why: with thin gutters (2 analysis pixels) a rectangle between picture edges can win a slot
    half a tile off; it then blocks the true tiles on both sides of it, and completion steps from
    it onto more wrong slots. A tile is on the lattice of every tile a whole number of pitches
    away, in any row (full rows share their columns). It goes only when no tile agrees with it
    while a tile of its own row agrees with at least two: a centred incomplete row (half a pitch
    off) keeps its tiles, which agree with each other, and a lone tile in a row always stays.
    """
    def on_lattice(a: Rect, b: Rect) -> bool:
        d = b[0] - a[0]
        return abs(d - round(d / pitch) * pitch) <= 2 + 0.01 * abs(d)

    votes = {r: sum(on_lattice(r, o) for o in rects if o is not r) for r in rects}
    drop = {r for r in rects if votes[r] == 0
            and any(o is not r and o[1] == r[1] and votes[o] >= 2 for o in rects)}
    return [r for r in rects if r not in drop]


def _fill_slots(out: list[Rect], axis: int, pitch: int, aligned_slack: int, sm: SupportMaps,
                bg_ii: np.ndarray | None, live_ii: np.ndarray | None, free_slack: int = 3) -> bool:
    """One completion pass along ``axis`` (0: left/right in a row, 1: above/below in a column).

    A free slot one ``pitch`` from a tile is searched a few pixels around (``aligned_slack`` when it
    lines up with other tiles, else ``free_slack``) for its own edges, then accepted when it is not background
    and the lines across it (a row's top/bottom, a column's left/right) continue: mean support
    >= 0.5, or >= ``WEAK_CROSS_LINES`` around a live picture. Appends to ``out``; True if it added.
    """
    limit = (sm.w, sm.h)[axis]
    added = False
    for rect in list(out):
        if rect[0] < 0 or rect[0] + rect[2] > sm.w or rect[1] < 0 or rect[1] + rect[3] > sm.h:
            continue
        size = rect[2 + axis]
        for pos in (rect[axis] - pitch, rect[axis] + pitch):
            lined = [r[axis] for r in out if abs(r[axis] - pos) <= 3]  # other tiles on that line
            if lined:
                pos = int(np.median(lined))
            slot = list(rect)
            slot[axis] = pos
            x, y, w, h = slot
            # a neighbour whose rectangle took in the gutter (2 analysis pixels) does not fill the slot
            if pos < 0 or pos + size > limit or any(abs(r[0] - x) < w - SLOT_OVERLAP_PX and abs(r[1] - y) < h - SLOT_OVERLAP_PX
                                                    for r in out):
                continue
            best = None
            slack = aligned_slack if lined else free_slack
            for d in range(-slack, slack + 1):
                if pos + d < 0 or pos + d + size > limit:
                    continue
                slot[axis] = pos + d
                top, bot, left, right = sm.sides(*slot)
                own = (left + right, top + bot)[axis]  # the slot's own edges along the axis
                score = own - 0.1 * abs(d)  # stay on the pitch unless edges say otherwise
                if best is None or score > best[0]:
                    best = (score, tuple(slot), ((top + bot) / 2, (left + right) / 2)[axis])
            if best is None:
                continue
            x, y, w, h = best[1]
            if best[2] < 0.5 and (live_ii is None or best[2] < WEAK_CROSS_LINES or not _is_live(live_ii, x, y, w, h)):
                continue
            if _mask_fraction(bg_ii, x, y, w, h) >= 0.3:
                continue
            out.append(best[1])
            added = True
    return added


#: A grid explains a recording when at most this fraction of the frame is picture (moving or
#: textured) outside its tiles; otherwise the recording is one picture (a phone or webcam video).
MAX_UNEXPLAINED = 0.2


def unexplained_fraction(ev: Evidence, rects: list[Rect]) -> float:
    """Fraction of the frame that is picture (changing over the span, or textured) outside ``rects``.

    In a gallery, everything outside the tiles is gutter, margin or an empty place: static and flat.
    """
    mdy, mdx = ev.mean_steps()
    textured = np.zeros(ev.shape, bool)
    textured[1:] |= mdy > 2.0
    textured[:, 1:] |= mdx > 2.0
    picture = textured | (ev.exact_temporal_std() > 2.0)
    for x, y, w, h in rects:
        picture[y:y + h, x:x + w] = False
    return float(picture.mean())


def fit_grid(ev: Evidence, params: FitParams, *, whole_frame: bool = True) -> list[Rect]:
    """Tile rectangles (analysis pixels, row-major) that best explain the span's evidence.

    ``whole_frame``: a recording whose picture the best grid does not explain (more than
    ``MAX_UNEXPLAINED`` of the frame is picture outside its tiles: someone's own portrait phone or
    webcam video, cut into "tiles" along a shelf or a flag's stripes) is one tile of the whole
    frame. (Off for the span tracker's short test windows: a window that straddles a reflow
    explains nothing well, and must not become a one-tile span.)
    """
    mdy, mdx = ev.mean_steps()
    sm = support_maps(mdy, mdx, params)
    bg = background_color(ev, params.bg_tol)
    bg_ii = background_integral(ev, bg, params.bg_tol)
    cands = candidate_tiles(sm, bg_ii, params)
    live_ii = live_integral(ev)
    content: list = []
    rects = complete_rows(select_grid(cands, params, live_ii=live_ii, content=content)[1], sm, bg_ii, params, live_ii)
    if whole_frame and ev.n and unexplained_fraction(ev, rects + content) > MAX_UNEXPLAINED:
        return [(0, 0, sm.w, sm.h)]
    return rects
