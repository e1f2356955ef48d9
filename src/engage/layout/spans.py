"""Split a recording into layout spans while streaming sampled frames (constant memory).

Why: people join and leave, and the gallery reflows; each stretch with one grid is a span. The
current span keeps running evidence and a grid hypothesis. A sample is *suspect* when the
hypothesis' tile borders lose most of their support in that frame or the span's static areas
(gutters, margins) change. Enough consecutive suspect samples are fitted on their own; only a
grid that differs from the current one and explains those samples better starts a new span.
Isolated suspects (a speaker border moving, someone walking through a picture) are folded back.
A closed span is fitted once more on all its evidence and reduced to rectangles and appearance
signatures, so memory does not grow with the recording's length.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from engage.geometry import rect_iou as iou
from engage.layout.evidence import Evidence, _channel_max, frame_steps, line_maps
from engage.layout.grid import FitParams, Rect, SupportMaps, fit_grid, support_maps

log = logging.getLogger(__name__)

SIG_FRAMES = 3  # frames averaged for the appearance signature at each end of a span
SIG_SIZE = (8, 8)  # thumbnail size of a tile signature (w, h)
CHANGE_LEVEL = 4.0  # grey levels: mean change between samples above codec noise
#: Recent samples whose line maps a span keeps to know its tiles' usual per-frame border support.
TILE_HISTORY = 5


@dataclass
class ClosedSpan:
    """A finished span: analysis-pixel rectangles, first/last sample times, tile properties."""

    rects: list[Rect]
    t_first: float
    t_last: float
    camera_on: list[bool]
    sig_start: list[np.ndarray]
    sig_end: list[np.ndarray]


@dataclass
class _Open:
    ev: Evidence
    rects: list[Rect] = field(default_factory=list)
    support: deque = field(default_factory=lambda: deque(maxlen=15))
    tiles: deque = field(default_factory=lambda: deque(maxlen=15))  # per-tile support arrays
    recent_lines: deque = field(default_factory=lambda: deque(maxlen=TILE_HISTORY))  # line maps of the last samples
    first: list[np.ndarray] = field(default_factory=list)
    last: deque = field(default_factory=lambda: deque(maxlen=SIG_FRAMES))
    next_refit: int = 3
    static: np.ndarray | None = None  # pixels that never changed (as of the last fit)
    mean: np.ndarray | None = None


def internal_support(sm: SupportMaps, rects: list[Rect]) -> float:
    """Mean support of the tile sides that are not on the frame border (1.0 when there are none)."""
    vals = []
    for x, y, w, h in rects:
        top, bot, left, right = sm.sides(x, y, w, h)
        if y > 0:
            vals.append(top)
        if y + h < sm.h:
            vals.append(bot)
        if x > 0:
            vals.append(left)
        if x + w < sm.w:
            vals.append(right)
    return float(np.mean(vals)) if vals else 1.0


def frame_lines(steps: tuple[np.ndarray, np.ndarray], params: FitParams) -> tuple[np.ndarray, np.ndarray]:
    """Line maps of one frame (same definition as for a span's mean steps)."""
    return line_maps(*steps, min_step=params.min_step, strong_step=params.strong_step, contrast=params.contrast,
                     min_run=params.min_run)


def _side_supports(lines: tuple[np.ndarray, np.ndarray], rect: Rect) -> list[float]:
    """Support of each non-border side of one tile, read straight from line maps (one pixel slack)."""
    hl, vl = lines
    H, W = hl.shape[0] + 1, hl.shape[1]
    x, y, w, h = rect
    mx, my = max(1, w // 10), max(1, h // 10)
    vals = []
    for e in (y, y + h):
        if 0 < e < H:
            vals.append(float(hl[max(0, e - 2):e + 1, x + mx:x + w - mx].max(axis=0).mean()))
    for e in (x, x + w):
        if 0 < e < W:
            vals.append(float(vl[y + my:y + h - my, max(0, e - 2):e + 1].max(axis=1).mean()))
    return vals


def lines_support(lines: tuple[np.ndarray, np.ndarray], rects: list[Rect]) -> float:
    """Mean support of the non-border tile sides, read straight from line maps (one pixel slack)."""
    vals = [v for r in rects for v in _side_supports(lines, r)]
    return float(np.mean(vals)) if vals else 1.0


def support_stats(lines: tuple[np.ndarray, np.ndarray], rects: list[Rect]) -> tuple[float, np.ndarray]:
    """(:func:`lines_support`, per tile the mean support of its non-border sides, 1.0 with none)."""
    per = [_side_supports(lines, r) for r in rects]
    flat = [v for vals in per for v in vals]
    mean = float(np.mean(flat)) if flat else 1.0
    return mean, np.array([float(np.mean(v)) if v else 1.0 for v in per], np.float32)


def frame_support(steps: tuple[np.ndarray, np.ndarray], rects: list[Rect], params: FitParams) -> float:
    """Support of a hypothesis' tile borders in one frame."""
    return lines_support(frame_lines(steps, params), rects)


def same_grid(a: list[Rect], b: list[Rect], min_iou: float = 0.8) -> bool:
    """Same number of tiles and every tile of ``a`` overlaps one of ``b`` with IoU >= ``min_iou``."""
    if len(a) != len(b):
        return False
    return all(max((iou(r, s) for s in b), default=0.0) >= min_iou for r in a)


def tile_signature(mean_img: np.ndarray, rect: Rect) -> np.ndarray:
    """Tiny colour thumbnail of the tile's central 80 % (scale-free appearance of its person)."""
    x, y, w, h = rect
    mx, my = w // 10, h // 10
    crop = mean_img[y + my:y + h - my, x + mx:x + w - mx]
    if crop.size == 0:
        crop = mean_img[y:y + h, x:x + w]
    return cv2.resize(crop.astype(np.float32), SIG_SIZE, interpolation=cv2.INTER_AREA).ravel()


def camera_on_flags(ev: Evidence, rects: list[Rect], *, static_activity: float, uniform_fraction: float) -> list[bool]:
    """Camera off = the tile's picture never changes and is mostly one colour (name/initials allowed).

    "Never changes": at most ``static_activity`` of its pixels change by more than codec noise
    between samples; "one colour": at least ``uniform_fraction`` within 8 grey levels of the median.
    A frozen picture is static but not uniform, so it stays camera-on.
    """
    act = ev.activity()
    mean = ev.mean_frame()
    out = []
    for x, y, w, h in rects:
        mx, my = max(1, w // 10), max(1, h // 10)
        # fraction of pixels whose mean change between samples exceeds codec noise
        a = float((act[y + my:y + h - my, x + mx:x + w - mx] > CHANGE_LEVEL).mean()) if ev.n_act else 0.0
        pix = mean[y + my:y + h - my, x + mx:x + w - mx].reshape(-1, 3)
        med = np.median(pix, axis=0)
        uniform = float((np.abs(pix - med).max(axis=1) <= 8).mean())
        out.append(not (a <= static_activity and uniform >= uniform_fraction))
    return out


#: A tile counts for the per-tile change test when its borders' usual support is at least this.
TILE_CLEAR_SUPPORT = 0.5
#: ...and it changed when this share of its inner part (a sixth of its size in from each side) differs
#: from the span's mean picture by more than TILE_CHANGE_LEVEL grey levels (in any channel).
TILE_CHANGED_SHARE = 0.5
TILE_CHANGE_LEVEL = 40


def tile_changed(frame: np.ndarray, mean: np.ndarray, rect: Rect) -> bool:
    """Whether the picture inside ``rect`` is another one than the span's (a reflow moved a person
    or the gutter there), not the same person with their tile's border changed.

    Why: the green speaker border around a dark picture on the dark gutter gives that tile clear
    borders while it lasts; when it moves on, the tile's border support drops to half although
    nothing moved. On the benchmark's reflows the inner part of a moved tile differs over 77-95 %
    of its pixels; a person who stayed, at most 29 %.
    """
    x, y, w, h = rect
    ix, iy = w // 6, h // 6
    a = frame[y + iy:y + h - iy, x + ix:x + w - ix]
    b = mean[y + iy:y + h - iy, x + ix:x + w - ix]
    if a.size == 0:
        return True
    return float((_channel_max(cv2.absdiff(a, b)) > TILE_CHANGE_LEVEL).mean()) >= TILE_CHANGED_SHARE
STATIC_MIN_SAMPLES = 5  # samples before "never changed" means anything


def static_flat_mask(ev: Evidence) -> np.ndarray | None:
    """Pixels that are static and flat over the span: gutters, margins, camera-off tiles.

    (A still part of a webcam picture is not flat everywhere, and a few samples prove nothing.)
    """
    if ev.n < STATIC_MIN_SAMPLES:
        return None
    mdy, mdx = ev.mean_steps()
    flat = np.ones(ev.shape, bool)
    flat[1:] &= mdy <= 2.0
    flat[:-1] &= mdy <= 2.0
    flat[:, 1:] &= mdx <= 2.0
    flat[:, :-1] &= mdx <= 2.0
    return flat & (ev.exact_temporal_std() <= 2.0)


class SpanTracker:
    """Feed sampled frames in time order; collect :class:`ClosedSpan` objects."""

    def __init__(self, shape: tuple[int, int], params: FitParams, *, min_span_samples: int = 3,
                 support_drop: float = 0.6, static_activity: float = 0.05, uniform_fraction: float = 0.7):
        self.shape = shape
        self.params = params
        self.min_span = max(1, int(min_span_samples))
        self.support_drop = support_drop
        self.static_activity = static_activity
        self.uniform_fraction = uniform_fraction
        self.closed: list[ClosedSpan] = []
        self.cur = _Open(Evidence(shape))
        self.pending: list[tuple] = []  # suspect samples (t, frame, steps, lines), at most min_span
        self.prev: np.ndarray | None = None
        self._memo: tuple | None = None  # last (lines, rects, mean support, per-tile support)

    # -- streaming ---------------------------------------------------------------------------
    def add(self, t: float, frame: np.ndarray) -> None:
        steps = frame_steps(frame)
        lines = frame_lines(steps, self.params)
        sample = (t, frame, steps, lines)
        if not self._suspect(frame, lines):
            self._fold(len(self.pending))  # blips: back into the current span
            self._add(self.cur, sample)
            self._maybe_refit(self.cur)
        else:
            self.pending.append(sample)
            if len(self.pending) >= self.min_span:
                self._decide()

    def finish(self) -> list[ClosedSpan]:
        if self.pending and self.cur.ev.n == 0:
            self._fold(len(self.pending))
        while self.pending:
            if not self._decide():
                self._fold(len(self.pending))
        if self.cur.ev.n:
            self._close(self.cur)
        return self.closed

    # -- internals ---------------------------------------------------------------------------
    def _add(self, span: _Open, sample) -> None:
        t, frame, steps, lines = sample
        prev = span.last[-1] if span.last else None
        span.ev.add(frame, steps, prev, t)
        if len(span.first) < SIG_FRAMES:
            span.first.append(frame)
        span.last.append(frame)
        span.recent_lines.append(lines)
        if span.rects:
            mean, per_tile = self._support_stats(lines, span.rects)
            span.support.append(mean)
            span.tiles.append(per_tile)

    def _support_stats(self, lines, rects: list[Rect]) -> tuple[float, np.ndarray]:
        """:func:`support_stats` of one sample's line maps, computed once per sample and grid.

        The suspicion test and the span's support history read the same sample and grid; the last
        answer is kept (holding both objects, so their ids cannot be reused by other ones).
        """
        memo = self._memo
        if memo is None or memo[0] is not lines or memo[1] is not rects:
            memo = self._memo = (lines, rects, *support_stats(lines, rects))
        return memo[2], memo[3]

    def _fold(self, k: int) -> None:
        """Move the ``k`` oldest pending samples into the current span."""
        for sample in self.pending[:k]:
            self._add(self.cur, sample)
        del self.pending[:k]

    def _maybe_refit(self, span: _Open) -> None:
        if span.ev.n >= span.next_refit or not span.rects and span.ev.n >= 1:
            self._fit(span)
            span.next_refit = max(span.next_refit, span.ev.n) * 2

    def _fit(self, span: _Open) -> None:
        span.rects = fit_grid(span.ev, self.params)
        # The usual support of the new grid's borders, per frame, from the samples it was fitted on: a
        # change right after a refit must not become the tiles' usual state, and single frames show
        # less support than the span's mean evidence (which would overrate "usual").
        span.support.clear()
        span.tiles.clear()
        if span.rects:
            for lines in span.recent_lines:
                mean, per_tile = support_stats(lines, span.rects)
                span.support.append(mean)
                span.tiles.append(per_tile)
        span.static = static_flat_mask(span.ev)
        span.mean = np.clip(span.ev.mean_frame() + 0.5, 0, 255).astype(np.uint8)

    def _suspect(self, frame: np.ndarray, lines) -> bool:
        cur = self.cur
        if not cur.rects or cur.ev.n < 2:
            return False
        s, now = self._support_stats(lines, cur.rects)
        base = float(np.median(cur.support)) if cur.support else internal_support(
            support_maps(*cur.ev.mean_steps(), self.params), cur.rects)
        if s < self.support_drop * base:
            return True
        # One row reflowing (someone leaves the last row) moves only a few borders: the mean barely
        # drops, but those tiles lose most of theirs. Only tiles whose borders are usually clear count.
        if len(cur.tiles) >= 2:
            usual = np.median(np.stack(cur.tiles), axis=0)
            lost = np.flatnonzero((usual >= TILE_CLEAR_SUPPORT) & (now < self.support_drop * usual))
            if any(cur.mean is None or tile_changed(frame, cur.mean, cur.rects[k]) for k in lost):
                return True
        # static areas (gutters, margins, camera-off tiles) must stay as they were
        static = cur.static
        if static is None and cur.ev.n >= STATIC_MIN_SAMPLES:  # enough samples now: this one is checked too
            cur.static = static = static_flat_mask(cur.ev)
            cur.mean = np.clip(cur.ev.mean_frame() + 0.5, 0, 255).astype(np.uint8)
        if static is None or static.mean() < 0.02:
            return False
        diff = _channel_max(cv2.absdiff(frame, cur.mean))
        return float((diff[static] > 20).mean()) > 0.2

    def _span_of(self, samples) -> _Open:
        span = _Open(Evidence(self.shape))
        for sample in samples:
            self._add(span, sample)
        return span

    def _decide(self) -> bool:
        """Suspect samples: a new span if their own grid differs from and beats the current one.

        Leading suspects that the old grid explains at least as well stay in the old span. Without a
        change the oldest suspect goes back to the current span (the window slides).
        """
        old = self.cur.rects
        if old and self.cur.ev.n < self.min_span:
            # The current span is younger than a layout can be (its grid was fitted on one or two
            # samples): it is no layout of its own; the suspects join it and it is fitted again.
            self._fold(len(self.pending))
            self._fit(self.cur)
            return True
        ev = self._span_of(self.pending).ev
        new = fit_grid(ev, self.params, whole_frame=False)
        if new and old and not same_grid(new, old):
            sm = support_maps(*ev.mean_steps(), self.params)
            s_new, s_old = internal_support(sm, new), internal_support(sm, old)
            # People joining into empty places (7 -> 9 in a 3x3 grid) keep every old border, so the
            # old grid is as well supported as the new one; the new grid then contains the old one and
            # adds tiles where the span had background (the samples are suspect because that changed).
            grows = len(new) > len(old) and all(max(iou(r, n) for n in new) >= 0.8 for r in old)
            if grows:
                # ...but only if the added tiles were empty (static) places: tiles the current grid
                # merely missed (weak borders) are live pictures all along, not people who joined.
                added = [n for n in new if max(iou(n, r) for r in old) < 0.5]
                static = self.cur.static
                grows = static is not None and all(
                    float(static[y:y + h, x:x + w].mean()) >= 0.5 for x, y, w, h in added)
            if s_new > s_old + 0.1 or (grows and s_new >= s_old - 0.1):
                k = 0
                while (not grows and k < len(self.pending) - 1
                       and lines_support(self.pending[k][3], old) >= lines_support(self.pending[k][3], new)):
                    k += 1
                self._fold(k)
                span = self._span_of(self.pending)
                self.pending = []
                self._fit(span)
                if not span.rects:
                    span.rects = new
                span.next_refit = span.ev.n * 2
                log.info("layout change near t=%.1f s: %d -> %d tiles", span.ev.times[0], len(old), len(span.rects))
                self._close(self.cur)
                self.cur = span
                return True
        if new and not old:  # nothing found so far: adopt the new grid in place
            self._fold(len(self.pending))
            self._fit(self.cur)
            return True
        self._fold(1)
        return False

    def _close(self, span: _Open) -> None:
        rects = fit_grid(span.ev, self.params) if span.ev.n else []
        if not rects:
            rects = span.rects
        start = np.mean(span.first, axis=0)
        end = np.mean(list(span.last), axis=0)
        closed = ClosedSpan(
            rects=rects,
            t_first=span.ev.times[0],
            t_last=span.ev.times[-1],
            camera_on=camera_on_flags(span.ev, rects, static_activity=self.static_activity,
                                      uniform_fraction=self.uniform_fraction),
            sig_start=[tile_signature(start, r) for r in rects],
            sig_end=[tile_signature(end, r) for r in rects],
        )
        if self.closed and same_grid(self.closed[-1].rects, rects, 0.9):
            prev = self.closed[-1]  # the same grid again: one span
            prev.t_last = closed.t_last
            prev.sig_end = closed.sig_end
            return
        self.closed.append(closed)
