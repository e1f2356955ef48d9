"""Per-pixel evidence for tile edges, accumulated over sampled frames of one layout span.

Why: a tile boundary is a straight line where the picture *steps* in every frame (two independent
videos, or a video and a gutter meet), while edges inside a webcam picture move, blur or are short.
Averaging the absolute step between neighbouring pixels over time and keeping the places where
that mean step is a local maximum across the line gives a clean line map (``line_maps``) for both
gutter and gutter-less grids. The temporal mean/variance also tell static uniform areas
(background, gutters, camera-off tiles) from live video.
"""

from __future__ import annotations

import cv2
import numpy as np


def frame_steps(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Absolute colour steps across every row/column boundary, measured two pixels wide.

    ``dy[i, x]`` is the step between rows ``i`` and ``i+1``: the difference of the mean of rows
    ``i+1, i+2`` and of rows ``i-1, i`` (compression and scaling smear a boundary over two pixels,
    so a one-pixel difference under-reads it). Max over colour channels (a red/green boundary of
    equal brightness is still a boundary). ``dx`` likewise along columns.
    """
    out = []
    for axis in (0, 1):
        if axis == 0:
            pair = cv2.add(frame[:-1].astype(np.uint16), frame[1:].astype(np.uint16))  # pair sums
            d = np.zeros(pair.shape, np.uint16)
            d[1:-1] = cv2.absdiff(pair[2:], pair[:-2])
        else:
            pair = cv2.add(frame[:, :-1].astype(np.uint16), frame[:, 1:].astype(np.uint16))
            d = np.zeros(pair.shape, np.uint16)
            d[:, 1:-1] = cv2.absdiff(pair[:, 2:], pair[:, :-2])
        out.append(_channel_max(d).astype(np.float32) * 0.5)
    return out[0], out[1]


def _channel_max(a: np.ndarray) -> np.ndarray:
    if a.ndim == 2:
        return a
    c = cv2.split(a)
    m = c[0]
    for x in c[1:]:
        m = cv2.max(m, x)
    return m


def line_maps(mdy: np.ndarray, mdx: np.ndarray, *, min_step: float, strong_step: float, contrast: float, min_run: int) -> tuple[np.ndarray, np.ndarray]:
    """Maps (0..1) of persistent step lines.

    ``hl[i, x]`` is non-zero when the (mean) step between rows ``i`` and ``i+1`` at column ``x`` is
    the largest within two rows either side and exceeds ``contrast`` times the mean of the steps two
    rows away on at least one side (a step next to a smooth area, not texture); its value rises linearly from 0 at ``min_step`` to 1 at
    ``strong_step`` grey levels, so faint codec block edges count little and real boundaries fully.
    Only straight runs of at least ``min_run`` pixels survive (one pixel of jitter across the line
    allowed): tile borders are long straight lines, texture inside a picture is not.
    Same for ``vl`` along columns. Index ``i`` in ``hl`` means an edge at position ``i + 1``.
    """
    hl = _peaks(mdy, 0, min_step, strong_step, contrast)
    vl = _peaks(mdx, 1, min_step, strong_step, contrast)
    return _long_runs(hl, min_run, horizontal=True), _long_runs(vl, min_run, horizontal=False)


def _long_runs(m: np.ndarray, min_run: int, *, horizontal: bool) -> np.ndarray:
    """Keep the pixels of ``m`` that lie on straight runs of at least ``min_run`` pixels."""
    b = (m > 0).astype(np.uint8)
    across = np.ones((3, 1) if horizontal else (1, 3), np.uint8)
    along = np.ones((1, min_run) if horizontal else (min_run, 1), np.uint8)
    thick = cv2.dilate(b, across)
    runs = cv2.morphologyEx(thick, cv2.MORPH_OPEN, along, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return np.where(runs > 0, m, 0.0).astype(np.float32)


def _peaks(d: np.ndarray, axis: int, min_step: float, strong_step: float, contrast: float) -> np.ndarray:
    if axis == 1:
        return _peaks(d.T, 0, min_step, strong_step, contrast).T
    p = np.pad(d, ((2, 2), (0, 0)), mode="constant")
    c = p[2:-2]
    m1, p1, m2, p2 = p[1:-3], p[3:-1], p[:-4], p[4:]
    out = (c >= min_step) & (c >= m1) & (c >= p1)
    out &= c >= contrast * np.minimum(m2, p2)
    weight = np.clip((c - min_step) / max(strong_step - min_step, 1e-6), 0.0, 1.0)
    return np.where(out, weight, 0.0).astype(np.float32)


class Evidence:
    """Running sums over sampled frames (constant memory, mergeable).

    Holds sums of the colour steps (for line maps), of the frame and its square (temporal mean and
    standard deviation) and of the change between consecutive samples (activity).
    """

    def __init__(self, shape: tuple[int, int]):
        h, w = shape
        self.shape = (h, w)
        self.n = 0
        self.n_act = 0
        self.sum_dy = np.zeros((h - 1, w), np.float32)
        self.sum_dx = np.zeros((h, w - 1), np.float32)
        self.sum_f = np.zeros((h, w, 3), np.float32)
        self.sum_f2 = np.zeros((h, w), np.float32)
        self.sum_g2 = np.zeros((h, w), np.float32)
        self.sum_act = np.zeros((h, w), np.float32)
        self.times: list[float] = []

    def add(self, frame: np.ndarray, steps: tuple[np.ndarray, np.ndarray], prev: np.ndarray | None, t: float) -> None:
        dy, dx = steps
        self.sum_dy += dy
        self.sum_dx += dx
        f = frame.astype(np.float32)
        self.sum_f += f
        g = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.float32)
        self.sum_f2 += g * g
        gf = cv2.cvtColor(f, cv2.COLOR_BGR2GRAY)
        self.sum_g2 += gf * gf
        if prev is not None:
            self.sum_act += _channel_max(cv2.absdiff(frame, prev))
            self.n_act += 1
        self.n += 1
        self.times.append(t)

    def merge(self, other: "Evidence") -> None:
        for name in ("sum_dy", "sum_dx", "sum_f", "sum_f2", "sum_g2", "sum_act"):
            getattr(self, name).__iadd__(getattr(other, name))
        self.n += other.n
        self.n_act += other.n_act
        self.times = sorted(self.times + other.times)

    def mean_steps(self) -> tuple[np.ndarray, np.ndarray]:
        n = max(self.n, 1)
        return self.sum_dy / n, self.sum_dx / n

    def mean_frame(self) -> np.ndarray:
        return self.sum_f / max(self.n, 1)

    def temporal_std(self) -> np.ndarray:
        n = max(self.n, 1)
        m = cv2.cvtColor(self.sum_f / n, cv2.COLOR_BGR2GRAY)
        return np.sqrt(np.maximum(self.sum_f2 / n - m * m, 0.0))

    def exact_temporal_std(self) -> np.ndarray:
        """Temporal std of the unrounded grey: exactly 0 where the picture never changes.

        :meth:`temporal_std` squares the rounded 8-bit grey but subtracts the unrounded mean, so flat,
        slightly coloured areas read as std ~3; grid fitting is calibrated on that (it keeps dark,
        still picture content from counting as gutter). Change detection needs the exact value to
        know which areas (empty grid places, margins) never changed.
        """
        n = max(self.n, 1)
        m = cv2.cvtColor(self.sum_f / n, cv2.COLOR_BGR2GRAY)
        return np.sqrt(np.maximum(self.sum_g2 / n - m * m, 0.0))

    def activity(self) -> np.ndarray:
        return self.sum_act / max(self.n_act, 1)
