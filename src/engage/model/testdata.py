"""Small synthetic feature files in the data-contract format, for tests and demos of the model stages.

They are *not* real features: values are seeded noise plus a per-clip latent engagement so that a
model can learn something; the tables are built and written through :mod:`engage.contract` (every other
face column, e.g. the AUs, is null as with the built-in backend).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from engage.contract import (ACOUSTICS, CLIP_SPEECH, CLIPS, FACE, I3D, TEXT, Clip, ClipSpeech, clip_speech_table,
                             clips_table)
from engage.model.features import AUD_COLUMNS
from engage.model.labels import LEVELS

FACE_COLUMNS = ["gaze_0_x", "gaze_0_y", "gaze_0_z", "gaze_1_x", "gaze_1_y", "gaze_1_z", "gaze_angle_x", "gaze_angle_y",
                "pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"]


def write_session(results_dir: str | os.PathLike, session: str, n_persons: int = 3, n_windows: int = 4, seed: int = 0,
                  frames_per_clip: int = 40, i3d_dim: int = 1024, text_dim: int = 16, with_labels_in: str | os.PathLike | None = None,
                  identities: dict[str, str] | None = None) -> dict:
    """Write clips/face/i3d/clip_speech/acoustics/text Parquet files for one session.

    Returns {clip_id: level}; when ``with_labels_in`` is a session folder, labels.csv is written there.
    ``identities``: person -> identity (default ``<session>/<person>``).
    """
    rng = np.random.default_rng(seed)
    d = Path(results_dir) / session
    (d / "features").mkdir(parents=True, exist_ok=True)
    clips, levels, face_rows, i3d, speech, aco, text = [], {}, [], [], [], [], []
    for p in range(n_persons):
        person = f"p{p:02d}"
        for w in range(n_windows):
            cid = f"{session}_{w:04d}_{person}"
            z = float(rng.uniform(-1, 1))
            levels[cid] = LEVELS[min(3, int((z + 1) * 2))]
            clip = Clip(cid, session, person, w, w * 10.0, w * 10.0 + 10.0, frames_per_clip, 1.0,
                        f"clips/{cid}.mp4", (), (0, 0, 64, 64), (identities or {}).get(person, ""))
            clips.append(clip)
            for f in range(frames_per_clip):
                ok = f % 7 != 3
                row = {"clip_id": cid, "frame": f, "time": f / 25.0, "confidence": 0.9 if ok else 0.0, "success": ok,
                       "backend": "builtin"}
                for j, c in enumerate(FACE_COLUMNS):
                    row[c] = float(z * (j % 3) + rng.normal(0, 0.3)) if ok else None
                face_rows.append(row)
            vec = rng.normal(0, 1, i3d_dim).astype(np.float32)
            vec[:8] += 2 * z
            i3d.append({"clip_id": cid, "embedding": vec.tolist(), "n_windows": 1, "model": "inception_i3d",
                        "weights_sha256": "random-init"})
            talk = (p + w) % 2 == 0
            speech.append(ClipSpeech(cid, person, 3.0 if talk else 0.0, talk, (1,) if talk else ()))
            keys = {**clip.window_keys(), "has_speech": talk}
            aud = [float(x) for x in rng.normal(0, 1, 7)] if talk else [None] * 7
            aco.append({**keys, **dict(zip(AUD_COLUMNS, aud)), "contour_step": 0.01})
            vec = rng.normal(0, 1, text_dim).astype(np.float32) if talk else None
            text.append({**keys, "utterances": [1] if talk else [], "text": "hello" if talk else None,
                         "embedding": None if vec is None else vec.tolist()})
    CLIPS.write(d / "clips.parquet", clips_table(clips))
    FACE.write(d / "features" / "face.parquet", FACE.from_rows(face_rows))
    I3D.write(d / "features" / "i3d.parquet", I3D.from_rows(i3d, dim=i3d_dim), dim=i3d_dim)
    CLIP_SPEECH.write(d / "features" / "clip_speech.parquet", clip_speech_table(speech))
    ACOUSTICS.write(d / "features" / "acoustics.parquet", ACOUSTICS.from_rows(aco))
    TEXT.write(d / "features" / "text.parquet", TEXT.from_rows(text, dim=text_dim), dim=text_dim)
    if with_labels_in is not None:
        sd = Path(with_labels_in)
        sd.mkdir(parents=True, exist_ok=True)
        (sd / "labels.csv").write_text("clip_id,label\n" + "".join(f"{c},{lv}\n" for c, lv in sorted(levels.items())))
    return levels
