"""Turn sparse per-tile detections into a per-frame face track (pure functions, unit-tested).

The detector runs on every ``every``-th frame. For each person and span we keep one chosen box per
sampled frame (or none), smooth the boxes over neighbouring samples, then fill every timeline
frame: frames between two face samples at most ``max_gap`` frames apart are linearly interpolated
(a missed detection or two does not break the track); other frames take the nearest sample's
box, or no face. ``score`` is the detector confidence, interpolated between adjacent samples and
null when the interpolation bridges a sample where the detector saw no face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engage.tracks.detector import Box, iou


def choose_face(boxes: list[Box], prev: Box | None, tile_w: int, tile_h: int, min_iou: float = 0.2) -> Box | None:
    """The tile owner's face among ``boxes``.

    Temporal continuity first (the box overlapping the previous choice most, if IoU >= min_iou);
    otherwise the largest face, favouring the tile centre (people sit in front of their camera;
    faces in the background or on posters are smaller and off-centre).
    """
    if not boxes:
        return None
    if prev is not None:
        best = max(boxes, key=lambda b: iou(b, prev))
        if iou(best, prev) >= min_iou:
            return best
    diag = float(np.hypot(tile_w, tile_h)) or 1.0

    def key(b: Box) -> float:
        cx, cy = b.center
        d = float(np.hypot(cx - tile_w / 2, cy - tile_h / 2)) / diag  # 0 (centre) .. 0.5 (corner)
        return b.area * (1.5 - d)

    return max(boxes, key=key)


def smooth_boxes(frames: np.ndarray, boxes: np.ndarray, has: np.ndarray, radius: int, every: int) -> np.ndarray:
    """Centred moving average (``2*radius+1`` samples) over runs of consecutive face samples."""
    out = boxes.copy()
    if radius <= 0:
        return out
    n = len(frames)
    for k in range(n):
        if not has[k]:
            continue
        lo = k
        while lo > k - radius and lo > 0 and has[lo - 1] and frames[lo] - frames[lo - 1] <= every:
            lo -= 1
        hi = k
        while hi < k + radius and hi < n - 1 and has[hi + 1] and frames[hi + 1] - frames[hi] <= every:
            hi += 1
        r = min(k - lo, hi - k)  # symmetric window: no lag at the run edges
        out[k] = boxes[k - r : k + r + 1].mean(axis=0)
    return out


@dataclass
class FrameTrack:
    """Per-frame arrays for one person in one span."""

    frames: np.ndarray  # int32
    box: np.ndarray  # (n, 4) float32, NaN where no face
    score: np.ndarray  # float32, NaN where null
    detected: np.ndarray  # bool
    has_face: np.ndarray  # bool


def fill_track(
    first_frame: int,
    end_frame: int,
    sample_frames: list[int],
    sample_boxes: list[Box | None],
    *,
    every: int,
    max_gap: int,
    smooth_radius: int = 1,
) -> FrameTrack:
    """Per-frame track over ``[first_frame, end_frame)`` from detector samples (see module doc)."""
    t = np.arange(first_frame, end_frame, dtype=np.int64)
    n = len(t)
    box = np.full((n, 4), np.nan, np.float64)
    score = np.full(n, np.nan, np.float64)
    ss = np.asarray(sample_frames, np.int64)
    detected = np.isin(t, ss)
    if len(ss) == 0:
        return FrameTrack(t.astype(np.int32), box.astype(np.float32), score.astype(np.float32), detected, np.zeros(n, bool))
    has = np.array([b is not None for b in sample_boxes], bool)
    raw = np.array([[b.x, b.y, b.w, b.h] if b is not None else [np.nan] * 4 for b in sample_boxes], np.float64)
    sc = np.array([b.score if b is not None else np.nan for b in sample_boxes], np.float64)
    sm = smooth_boxes(ss, raw, has, smooth_radius, every)

    # Nearest sample (ties -> earlier): its box/score where it saw a face.
    i_prev = np.searchsorted(ss, t, "right") - 1
    i_next = i_prev + 1
    p_ok = i_prev >= 0
    n_ok = i_next < len(ss)
    d_prev = np.where(p_ok, t - ss[np.clip(i_prev, 0, None)], np.iinfo(np.int64).max)
    d_next = np.where(n_ok, ss[np.clip(i_next, None, len(ss) - 1)] - t, np.iinfo(np.int64).max)
    near = np.where(d_prev <= d_next, i_prev, i_next)
    near_face = has[near]
    box[near_face] = sm[near[near_face]]
    score[near_face] = sc[near[near_face]]
    got = near_face.copy()

    # Interpolation between consecutive face samples at most max_gap frames apart.
    fidx = np.flatnonzero(has)
    if len(fidx) >= 2:
        fs = ss[fidx]
        a = np.searchsorted(fs, t, "right") - 1
        b = a + 1
        ok = (a >= 0) & (b < len(fs))
        a_c, b_c = np.clip(a, 0, len(fs) - 1), np.clip(b, 0, len(fs) - 1)
        gap = fs[b_c] - fs[a_c]
        ok &= (gap <= max_gap) & (gap > 0) & (t > fs[a_c])
        w = np.where(ok, (t - fs[a_c]) / np.maximum(gap, 1), 0.0)[:, None]
        interp = (1 - w) * sm[fidx[a_c]] + w * sm[fidx[b_c]]
        box[ok] = interp[ok]
        nofaces = ss[~has]
        across = np.searchsorted(nofaces, fs[b_c], "left") - np.searchsorted(nofaces, fs[a_c], "right") > 0
        s_interp = (1 - w[:, 0]) * sc[fidx[a_c]] + w[:, 0] * sc[fidx[b_c]]
        score[ok] = np.where(across[ok], np.nan, s_interp[ok])
        got |= ok
    return FrameTrack(t.astype(np.int32), box.astype(np.float32), score.astype(np.float32), detected, got)
