"""Face detection inside one tile with MediaPipe's bundled (offline) BlazeFace models.

MediaPipe ships two TFLite face detectors inside the wheel: a short-range model (128x128 input,
faces filling a good part of the image, e.g. a webcam close-up) and a full-range model (192x192,
smaller/farther faces). Tiles are downscaled so their longer side is at most ``max_side`` before
detection (the models work at 128/192 px anyway; a smaller input is cheaper to letterbox). With
``model="auto"`` the short-range model runs first and the full-range model only where it found
nothing or only a doubtful face (score < ``CONFIDENT``): the more confident answer is kept, and a
doubtful short-range face only when the full-range model confirms it. A small face in a large tile
is still found, at little extra cost on ordinary webcam tiles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from engage.geometry import rect_iou

log = logging.getLogger(__name__)

MODELS = {"short": 0, "full": 1}
#: In ``auto`` mode a short-range detection below this confidence is double-checked with the
#: full-range model, and the more confident of the two answers is kept.
CONFIDENT = 0.8
#: Overlap (IoU) with which a full-range box confirms a doubtful short-range face.
CONFIRM_IOU = 0.3


@dataclass(frozen=True)
class Box:
    """A face box in tile pixels (x, y, w, h) with the detector's confidence."""

    x: float
    y: float
    w: float
    h: float
    score: float

    @property
    def area(self) -> float:
        return self.w * self.h

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    return rect_iou((a.x, a.y, a.w, a.h), (b.x, b.y, b.w, b.h))


def _mediapipe_face_detection():
    import mediapipe as mp  # heavy import: only when a detector is actually built

    return mp.solutions.face_detection.FaceDetection


class TileFaceDetector:
    """Detect faces in BGR tile crops; one instance per thread (MediaPipe graphs are stateful)."""

    def __init__(self, model: str = "auto", min_confidence: float = 0.5, max_side: int = 320):
        if model not in ("auto", *MODELS):
            raise ValueError(f"unknown face detector model {model!r} (auto, short, full)")
        self.model = model
        self.max_side = int(max_side)
        self.min_confidence = float(min_confidence)
        cls = _mediapipe_face_detection()
        self._det = {}
        for name in (["short", "full"] if model == "auto" else [model]):
            self._det[name] = cls(model_selection=MODELS[name], min_detection_confidence=self.min_confidence)

    def close(self) -> None:
        for d in self._det.values():
            d.close()
        self._det = {}

    def _run(self, name: str, rgb: np.ndarray, w: int, h: int) -> list[Box]:
        res = self._det[name].process(rgb)
        out = []
        for d in res.detections or []:
            rb = d.location_data.relative_bounding_box
            x0 = max(0.0, rb.xmin) * w
            y0 = max(0.0, rb.ymin) * h
            x1 = min(1.0, rb.xmin + rb.width) * w
            y1 = min(1.0, rb.ymin + rb.height) * h
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            out.append(Box(x0, y0, x1 - x0, y1 - y0, float(d.score[0]) if d.score else 0.0))
        return out

    def detect(self, tile_bgr: np.ndarray) -> list[Box]:
        """Faces in ``tile_bgr`` (H, W, 3 uint8), boxes in the tile's own pixel coordinates."""
        h, w = tile_bgr.shape[:2]
        if h < 8 or w < 8:
            return []
        scale = min(1.0, self.max_side / max(h, w))
        small = tile_bgr
        if scale < 1.0:
            small = cv2.resize(tile_bgr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        if self.model != "auto":
            return self._run(self.model, rgb, w, h)
        boxes = self._run("short", rgb, w, h)
        best = max(boxes, key=lambda b: b.score, default=None)
        if best is not None and best.score >= CONFIDENT:
            return boxes
        # Nothing or only a doubtful face: ask the full-range model (small faces in big tiles are its
        # job). Its more confident answer wins; a doubtful short-range face needs its confirmation
        # (an overlapping full-range box): two models agreeing rejects most false faces (textures,
        # clouds) while real webcam faces are confident anyway.
        full = self._run("full", rgb, w, h)
        full_best = max((b.score for b in full), default=0.0)
        if best is None or full_best > best.score:
            return full
        if any(iou(b, best) >= CONFIRM_IOU for b in full):
            return boxes
        return []

    def __enter__(self) -> "TileFaceDetector":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
