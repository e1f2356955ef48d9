"""Small synthetic feature files in the data-contract format, for tests and demos of the model stages.

They are *not* real features: values are seeded noise plus a per-clip latent engagement so that a
model can learn something; only shapes, names and types follow docs/data-contract.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from engage.model.labels import LEVELS

FACE_COLUMNS = ["gaze_0_x", "gaze_0_y", "gaze_0_z", "gaze_1_x", "gaze_1_y", "gaze_1_z", "gaze_angle_x", "gaze_angle_y",
                "pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"]
NULL_AU = ["AU01_r", "AU02_r", "AU01_c"]


def write_session(results_dir: str | os.PathLike, session: str, n_persons: int = 3, n_windows: int = 4, seed: int = 0,
                  frames_per_clip: int = 40, i3d_dim: int = 1024, text_dim: int = 16, with_labels_in: str | os.PathLike | None = None) -> dict:
    """Write clips/face/i3d/clip_speech/acoustics/text Parquet files for one session.

    Returns {clip_id: level}; when ``with_labels_in`` is a session folder, labels.csv is written there.
    """
    rng = np.random.default_rng(seed)
    d = Path(results_dir) / session
    (d / "features").mkdir(parents=True, exist_ok=True)
    clips, levels = [], {}
    face_rows = {k: [] for k in ["clip_id", "frame", "timestamp", "confidence", "success", "backend", *FACE_COLUMNS, *NULL_AU]}
    i3d, speech, aco, text = [], [], [], []
    for p in range(n_persons):
        person = f"p{p:02d}"
        for w in range(n_windows):
            cid = f"{session}_{w:04d}_{person}"
            z = float(rng.uniform(-1, 1))
            levels[cid] = LEVELS[min(3, int((z + 1) * 2))]
            clips.append((cid, person, w, w * 10.0, w * 10.0 + 10.0))
            for f in range(frames_per_clip):
                ok = f % 7 != 3
                face_rows["clip_id"].append(cid)
                face_rows["frame"].append(f)
                face_rows["timestamp"].append(f / 25.0)
                face_rows["confidence"].append(0.9 if ok else 0.0)
                face_rows["success"].append(ok)
                face_rows["backend"].append("builtin")
                for j, c in enumerate(FACE_COLUMNS):
                    face_rows[c].append(float(z * (j % 3) + rng.normal(0, 0.3)) if ok else None)
                for c in NULL_AU:
                    face_rows[c].append(None)
            vec = rng.normal(0, 1, i3d_dim).astype(np.float32)
            vec[:8] += 2 * z
            i3d.append((cid, vec))
            talk = (p + w) % 2 == 0
            speech.append((cid, person, 3.0 if talk else 0.0, talk))
            aco.append((cid, person, talk, [float(x) for x in rng.normal(0, 1, 7)] if talk else [None] * 7))
            text.append((cid, person, talk, "hello" if talk else "", rng.normal(0, 1, text_dim).astype(np.float32) if talk else None))
    pq.write_table(pa.table({
        "clip_id": [c[0] for c in clips], "session": [session] * len(clips), "person": [c[1] for c in clips],
        "window": pa.array([c[2] for c in clips], pa.int32()), "start": [c[3] for c in clips], "end": [c[4] for c in clips],
        "n_frames": pa.array([frames_per_clip] * len(clips), pa.int32()),
        "path": [f"clips/{c[0]}.mp4" for c in clips],  # contract column (no mp4 is written)
    }), d / "clips.parquet")
    types = {"frame": pa.int32(), "success": pa.bool_(), "backend": pa.string(), "clip_id": pa.string()}
    pq.write_table(pa.table({k: pa.array(v, types.get(k, pa.float32())) for k, v in face_rows.items()}), d / "features" / "face.parquet")
    pq.write_table(pa.table({"clip_id": [c for c, _ in i3d],
                             "embedding": pa.FixedSizeListArray.from_arrays(pa.array(np.concatenate([v for _, v in i3d])), i3d_dim)}),
                   d / "features" / "i3d.parquet")
    pq.write_table(pa.table({"clip_id": [s[0] for s in speech], "person": [s[1] for s in speech],
                             "speech_seconds": [s[2] for s in speech], "has_speech": [s[3] for s in speech]}),
                   d / "features" / "clip_speech.parquet")
    aud_cols = ["L", "Hv", "Lv", "Hp", "Lp", "std_v", "std_p"]
    tbl = {"clip_id": [a[0] for a in aco], "person": [a[1] for a in aco], "has_speech": [a[2] for a in aco]}
    for j, c in enumerate(aud_cols):
        tbl[c] = pa.array([a[3][j] for a in aco], pa.float32())
    pq.write_table(pa.table(tbl), d / "features" / "acoustics.parquet")
    pq.write_table(pa.table({"clip_id": [t[0] for t in text], "person": [t[1] for t in text], "has_speech": [t[2] for t in text],
                             "text": [t[3] for t in text],
                             "embedding": pa.array([None if t[4] is None else t[4].tolist() for t in text], pa.list_(pa.float32()))}),
                   d / "features" / "text.parquet")
    if with_labels_in is not None:
        sd = Path(with_labels_in)
        sd.mkdir(parents=True, exist_ok=True)
        (sd / "labels.csv").write_text("clip_id,label\n" + "".join(f"{c},{lv}\n" for c, lv in sorted(levels.items())))
    return levels
