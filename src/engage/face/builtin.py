"""Built-in offline face backend: MediaPipe face mesh (iris refinement) + geometry with OpenFace's conventions.

MediaPipe 0.10.14 ships the face detector, the 468-point mesh and the iris model inside its wheel,
so this backend needs no download. Per frame it gives 2D landmarks (mapped to iBUG-68), head pose from
a PnP fit of the canonical face model, gaze from the iris centres and eye openness; AU, PDM and
eye-region landmark columns stay null (see docs/features/face.md).
"""

from __future__ import annotations

import logging
import os

import cv2
import numpy as np
import pyarrow as pa

from engage.openface.columns import GAZE_VECTOR, LANDMARKS_2D, LANDMARKS_3D, POSE
from engage.face.geometry import (camera_matrix, default_intrinsics, eyeball_centre, gaze_angles, gaze_vector,
                                  rotation_to_euler, solve_head_pose)
from engage.face.landmarks68 import EYE_POINTS, IRIS_CENTRE, MESH_INDEX, POSE_POINTS, model_points_mm
from engage.face.table import build_clip_table
from engage.media.decode import FrameReader

log = logging.getLogger(__name__)

BACKEND = "builtin"
MODEL_NAME = "mediapipe-face-mesh-478-iris"
#: Reprojection error (as a fraction of the inter-ocular distance) at which confidence reaches 0.
CONFIDENCE_ERROR_SCALE = 0.25


def mediapipe_version() -> str:
    import mediapipe as mp

    return mp.__version__


class FaceMeshBackend:
    """Runs MediaPipe FaceMesh on one clip at a time (a fresh tracker per clip: clips are independent)."""

    def __init__(self, min_detection_confidence: float = 0.8, min_tracking_confidence: float = 0.9):
        """``min_detection_confidence``: BlazeFace score to start a face; ``min_tracking_confidence``: the
        threshold MediaPipe applies on every frame to the landmark model's own face-presence score
        (``facelandmarkcpu__ThresholdingCalculator``). The defaults are strict: initials in a circle
        and similar drawings pass 0.5/0.5 (docs/features/face.md)."""
        import mediapipe as mp

        self._mp = mp
        self.min_detection_confidence = float(min_detection_confidence)
        self.min_tracking_confidence = float(min_tracking_confidence)
        self.model = model_points_mm()

    def _new_mesh(self):
        return self._mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False, max_num_faces=1, refine_landmarks=True,
            min_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence)

    def extract(self, video: str | os.PathLike, clip_id: str, session: str | None = None,
                allowed: np.ndarray | None = None) -> pa.Table:
        """Face features for every 25 fps frame of ``video`` (one row per frame, success=0 without face).

        ``allowed`` (one bool per clip frame, :mod:`engage.face.evidence`): frames where the pipeline's
        face evidence permits a face; elsewhere the row fails. A clip without any such frame is not
        decoded (its ``len(allowed)`` rows all fail).
        """
        if allowed is not None and not allowed.any():
            return self._to_table(clip_id, [None] * len(allowed))
        rows: list[dict | None] = []
        guess = None
        with self._new_mesh() as mesh:
            for _, frame in FrameReader(video, session=session):
                h, w = frame.shape[:2]
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                res = mesh.process(rgb)
                if not res.multi_face_landmarks:
                    rows.append(None)
                    guess = None
                    continue
                lm = res.multi_face_landmarks[0].landmark
                pts = np.array([(p.x * w, p.y * h) for p in lm], dtype=np.float64)
                row, guess = self._frame_features(pts, w, h, guess)
                rows.append(row)
        if allowed is not None:  # the mesh tracked every frame (continuity); rows without evidence fail
            rows = [r if i < len(allowed) and allowed[i] else None for i, r in enumerate(rows)]
        return self._to_table(clip_id, rows)

    def _frame_features(self, pts: np.ndarray, w: int, h: int, guess) -> tuple[dict | None, tuple | None]:
        fx, fy, cx, cy = default_intrinsics(w, h)
        K = camera_matrix(fx, fy, cx, cy)
        lm68 = pts[MESH_INDEX]
        fit = solve_head_pose(self.model[POSE_POINTS], lm68[POSE_POINTS], K, guess)
        if fit is None:
            return None, None
        R, t, rms = fit
        pitch, yaw, roll = rotation_to_euler(R)
        cam = self.model @ R.T + t  # posed model in camera coordinates (mm)
        # 3D landmarks: observed 2D points back-projected at the depth of the posed model point.
        z = cam[:, 2]
        X = (lm68[:, 0] - cx) * z / fx
        Y = (lm68[:, 1] - cy) * z / fy
        gz = []
        for eye, first in enumerate(EYE_POINTS):
            idx = slice(first, first + 6)
            centre = eyeball_centre(lm68[idx].mean(axis=0), float(z[idx].mean()), R, K)
            gz.append(gaze_vector(pts[IRIS_CENTRE[eye]], centre, K))
        gax, gay = gaze_angles(gz[0], gz[1])
        iod = float(np.linalg.norm(lm68[36] - lm68[45]))
        conf = float(np.clip(1.0 - rms / (CONFIDENCE_ERROR_SCALE * max(iod, 1e-6)), 0.0, 1.0))
        row = {"confidence": conf, "gaze": np.concatenate(gz), "gaze_angle": (gax, gay),
               "pose": (t[0], t[1], t[2], pitch, yaw, roll), "xy": np.concatenate([lm68[:, 0], lm68[:, 1]]),
               "XYZ": np.concatenate([X, Y, z])}
        rvec, _ = cv2.Rodrigues(R)
        return row, (rvec, t.reshape(3, 1).copy())

    @staticmethod
    def _to_table(clip_id: str, rows: list[dict | None]) -> pa.Table:
        n = len(rows)
        success = np.array([r is not None for r in rows], dtype=bool)
        conf = np.array([r["confidence"] if r else 0.0 for r in rows], dtype=np.float32)

        def block(key: str, width: int) -> np.ndarray:
            out = np.full((n, width), np.nan, dtype=np.float64)
            for i, r in enumerate(rows):
                if r is not None:
                    out[i] = r[key]
            return out

        feats = {}
        for names, key in ((GAZE_VECTOR, "gaze"), (["gaze_angle_x", "gaze_angle_y"], "gaze_angle"),
                           (POSE, "pose"), (LANDMARKS_2D, "xy"), (LANDMARKS_3D, "XYZ")):
            arr = block(key, len(names))
            feats.update({c: arr[:, j] for j, c in enumerate(names)})
        return build_clip_table(clip_id, BACKEND, n, success, conf, feats)
