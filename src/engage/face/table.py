"""Assemble per-frame feature columns into the one face.parquet schema (both backends)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from engage import TIMELINE_FPS
from engage.contract import FACE
from engage.openface.columns import FEATURE_COLUMNS, GAZE_VECTOR
from engage.face.geometry import eye_openness

_X = [f"x_{i}" for i in range(68)]
_Y = [f"y_{i}" for i in range(68)]


def build_clip_table(clip_id: str, backend: str, n: int, success: np.ndarray, confidence: np.ndarray,
                     features: dict[str, np.ndarray], time: np.ndarray | None = None) -> pa.Table:
    """One clip's rows: frames 0..n-1; absent feature columns are null; features of failed frames are null.

    ``eye_openness_*`` is derived here from the 2D landmarks so both backends compute it the same way.
    """
    success = np.asarray(success, dtype=bool)
    feats = {c: np.full(n, np.nan, dtype=np.float32) for c in FEATURE_COLUMNS}
    for c, v in features.items():
        if c in feats:
            feats[c] = np.asarray(v, dtype=np.float32)
    if all(c in features for c in _X + _Y):
        x = np.stack([feats[c] for c in _X], axis=-1)
        y = np.stack([feats[c] for c in _Y], axis=-1)
        e0, e1 = eye_openness(x, y)
        feats["eye_openness_0"], feats["eye_openness_1"] = e0.astype(np.float32), e1.astype(np.float32)
    if "gaze_angle_x" not in features and all(c in features for c in GAZE_VECTOR):
        # Older OpenFace layouts lack gaze_angle_*: derive it exactly as OpenFace's GetGazeAngle does.
        g = (np.stack([feats[c] for c in GAZE_VECTOR[:3]], -1) + np.stack([feats[c] for c in GAZE_VECTOR[3:]], -1)) / 2
        feats["gaze_angle_x"] = np.arctan2(g[:, 0], -g[:, 2]).astype(np.float32)
        feats["gaze_angle_y"] = np.arctan2(g[:, 1], -g[:, 2]).astype(np.float32)
    ts = np.arange(n, dtype=np.float64) / TIMELINE_FPS if time is None else np.asarray(time, np.float64)
    conf = np.asarray(confidence, dtype=np.float32)
    arrays = [
        pa.array([clip_id] * n, pa.string()),
        pa.array(np.arange(n, dtype=np.int32)),
        pa.array(ts),
        pa.array(conf, mask=np.isnan(conf)),
        pa.array(success),
        pa.array([backend] * n, pa.string()),
    ]
    for c in FEATURE_COLUMNS:
        v = feats[c]
        arrays.append(pa.array(v, type=pa.float32(), mask=~success | np.isnan(v)))
    return pa.Table.from_arrays(arrays, schema=FACE.schema())


def openface_frame_table(df: pd.DataFrame, clip_id: str, allowed: np.ndarray | None = None) -> pa.Table:
    """Convert a parsed OpenFace CSV (:func:`read_openface_csv`) to face.parquet rows.

    OpenFace's 1-based ``frame`` becomes the 0-based clip frame; its ``timestamp`` becomes ``time``.
    ``allowed`` (one bool per clip frame, :mod:`engage.face.evidence`): frames outside it fail
    (``success`` false, features null, confidence 0).
    """
    n = len(df)
    frames = df["frame"].to_numpy(np.int64) - 1 if n else np.zeros(0, np.int64)
    success = df["success"].to_numpy(bool)
    confidence = df["confidence"].to_numpy(np.float32)
    if allowed is not None:
        ok = np.zeros(n, bool)
        inside = (frames >= 0) & (frames < len(allowed))
        ok[inside] = np.asarray(allowed, bool)[frames[inside]]
        success = success & ok
        confidence = np.where(ok, confidence, np.float32(0.0)).astype(np.float32)
    t = build_clip_table(
        clip_id, "openface", n,
        success=success,
        confidence=confidence,
        features={c: df[c].to_numpy(np.float32) for c in df.columns if c in set(FEATURE_COLUMNS)},
        time=df["timestamp"].to_numpy(np.float64),
    )
    return t.set_column(1, FACE.schema().field("frame"), pa.array(frames.astype(np.int32)))
