"""Face crops exactly as the public ASD demos make them (Columbia_test.py / demoTalkNet.py).

Per face track: box size ``s = max(w, h) / 2`` and centre are median-filtered over 13 frames; the
crop is the square ``[cy - s, cy + s(1 + 2c)] x [cx - s(1 + c), cx + s(1 + c)]`` (c = crop_scale,
0.40: more room below the face for the mouth and chin), outside the image filled with grey 110,
resized to 224x224, converted to gray, and the central 112x112 kept.

A "segment" is a maximal run of consecutive frames where the tracks stage has a face box for a
person: the unit the demos call a face track.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import cv2
import numpy as np

CROP_SIZE = 224
MODEL_SIZE = 112
PAD_VALUE = 110
MEDIAN_KERNEL = 13


@dataclass
class FaceSegment:
    """Consecutive frames ``start .. start + len(boxes) - 1`` of one person with face boxes (x, y, w, h)."""

    person: str
    start: int
    boxes: np.ndarray  # (n, 4) float64, display pixels

    @property
    def stop(self) -> int:
        return self.start + len(self.boxes)

    def crop_geometry(self) -> np.ndarray:
        """(n, 3) smoothed (cx, cy, s) per frame, as the demos' ``crop_video``."""
        b = self.boxes
        s = np.maximum(b[:, 2], b[:, 3]) / 2.0
        cx = b[:, 0] + b[:, 2] / 2.0
        cy = b[:, 1] + b[:, 3] / 2.0
        if len(b) > 1:  # scipy zero-pads the ends, like the demos (they call the same function)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "kernel_size exceeds volume extent" on short segments
                from scipy.signal import medfilt  # here: scipy.signal adds 1.2 s to every job's start

                s, cx, cy = (medfilt(v, kernel_size=MEDIAN_KERNEL) for v in (s, cx, cy))
        return np.stack([cx, cy, s], axis=1)


def face_segments(person: str, frames: np.ndarray, boxes: np.ndarray) -> list[FaceSegment]:
    """Split a person's frames with a face box (sorted, unique) into consecutive runs."""
    if len(frames) == 0:
        return []
    frames = np.asarray(frames, dtype=np.int64)
    breaks = np.flatnonzero(np.diff(frames) != 1) + 1
    out = []
    for idx in np.split(np.arange(len(frames)), breaks):
        out.append(FaceSegment(person, int(frames[idx[0]]), np.asarray(boxes[idx], dtype=np.float64)))
    return out


def crop_face(gray: np.ndarray, cx: float, cy: float, s: float, crop_scale: float) -> np.ndarray:
    """112x112 uint8 face crop of a gray frame, numerically as the demos (pad 110, 224 resize, centre crop)."""
    cs = crop_scale
    pad = int(s * (1 + 2 * cs))
    my, mx = cy + pad, cx + pad  # centre in the demo's padded image
    y0, y1 = int(my - s), int(my + s * (1 + 2 * cs))
    x0, x1 = int(mx - s * (1 + cs)), int(mx + s * (1 + cs))
    h, w = gray.shape
    # the same window in original coordinates; the part outside the frame is the demo's padding
    oy0, oy1, ox0, ox1 = y0 - pad, y1 - pad, x0 - pad, x1 - pad
    if oy1 <= oy0 or ox1 <= ox0:
        return np.full((MODEL_SIZE, MODEL_SIZE), PAD_VALUE, np.uint8)
    window = np.full((oy1 - oy0, ox1 - ox0), PAD_VALUE, np.uint8)
    sy0, sy1, sx0, sx1 = max(oy0, 0), min(oy1, h), max(ox0, 0), min(ox1, w)
    if sy1 > sy0 and sx1 > sx0:
        window[sy0 - oy0 : sy1 - oy0, sx0 - ox0 : sx1 - ox0] = gray[sy0:sy1, sx0:sx1]
    big = cv2.resize(window, (CROP_SIZE, CROP_SIZE))
    q = (CROP_SIZE - MODEL_SIZE) // 2
    return big[q : q + MODEL_SIZE, q : q + MODEL_SIZE]
