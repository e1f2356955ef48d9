"""OpenFace CSV parser: the real legacy-layout fixture, a 2.2-layout file written from the published order, malformed files."""

from __future__ import annotations

import numpy as np
import pytest

from engage.errors import SessionError
from engage.contract import FACE
from engage.openface.columns import OPENFACE_22_COLUMNS
from engage.openface.reader import read_openface_csv
from engage.face.table import openface_frame_table


def published_22_header() -> list[str]:
    """OpenFace 2.2 FeatureExtraction columns, spelled out from the wiki page Output-Format / RecorderCSV.cpp
    (written independently of engage.openface.columns so the two can disagree)."""
    cols = ["frame", "face_id", "timestamp", "confidence", "success"]
    cols += ["gaze_0_x", "gaze_0_y", "gaze_0_z", "gaze_1_x", "gaze_1_y", "gaze_1_z", "gaze_angle_x", "gaze_angle_y"]
    for p in ("eye_lmk_x_", "eye_lmk_y_", "eye_lmk_X_", "eye_lmk_Y_", "eye_lmk_Z_"):
        cols += [f"{p}{i}" for i in range(56)]
    cols += ["pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"]
    for p in ("x_", "y_", "X_", "Y_", "Z_"):
        cols += [f"{p}{i}" for i in range(68)]
    cols += ["p_scale", "p_rx", "p_ry", "p_rz", "p_tx", "p_ty"] + [f"p_{i}" for i in range(34)]
    aus_r = [1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 25, 26, 45]
    aus_c = [1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 25, 26, 28, 45]
    cols += [f"AU{a:02d}_r" for a in aus_r] + [f"AU{a:02d}_c" for a in aus_c]
    return cols


def write_22_csv(path, rows: list[dict], sep: str = ", ") -> None:
    cols = published_22_header()
    lines = [sep.join(cols)]
    for r in rows:
        vals = []
        for c in cols:
            v = r.get(c, 0.0)
            vals.append(str(int(v)) if c in ("frame", "face_id", "success") else f"{v:.3f}")
        lines.append(sep.join(vals))
    path.write_text("\n".join(lines) + "\n")


def face_row(frame, face_id, conf, success, cx, gx=0.1):
    r = {"frame": frame, "face_id": face_id, "timestamp": (frame - 1) / 25, "confidence": conf, "success": success,
         "gaze_0_x": gx, "gaze_1_x": gx, "gaze_0_z": -1.0, "gaze_1_z": -1.0, "gaze_angle_x": gx, "pose_Ry": 0.2,
         "AU12_r": 1.5, "AU45_c": 1}
    for i in range(68):
        r[f"x_{i}"] = cx + (i % 5)
        r[f"y_{i}"] = 100 + (i % 7)
    return r


def test_published_order_matches_columns_module():
    assert published_22_header() == OPENFACE_22_COLUMNS
    assert len(OPENFACE_22_COLUMNS) == 714


def test_real_legacy_csv(data_dir):
    df = read_openface_csv(data_dir / "openface" / "OpenFace_Test.csv")
    assert df.shape == (100, 431)
    assert df["frame"].dtype == np.int32 and df["success"].dtype == bool
    assert df["timestamp"].dtype == np.float64 and df["AU45_r"].dtype == np.float32
    assert df["frame"].tolist() == list(range(1, 101))
    assert df["confidence"].between(0.88, 0.99).all() and df["success"].all()
    t = openface_frame_table(df, "clip_a")
    assert t.schema.equals(FACE.schema(), check_metadata=False)
    out = t.to_pandas()
    assert out["frame"].tolist() == list(range(100))
    # gaze_angle_* is derived from the gaze vectors exactly like OpenFace's GetGazeAngle.
    g = (df[["gaze_0_x", "gaze_0_y", "gaze_0_z"]].to_numpy() + df[["gaze_1_x", "gaze_1_y", "gaze_1_z"]].to_numpy()) / 2
    np.testing.assert_allclose(out["gaze_angle_x"], np.arctan2(g[:, 0], -g[:, 2]), rtol=1e-5)
    assert out["eye_lmk_x_0"].isna().all()  # not in the legacy layout
    assert out["eye_openness_0"].between(0.05, 0.6).all()
    np.testing.assert_allclose(out["pose_Ry"], df["pose_Ry"])


def test_22_layout_with_two_faces_and_failed_frame(tmp_path):
    rows = [face_row(1, 0, 0.9, 1, 100), face_row(1, 1, 0.95, 1, 300),  # frame 1: the more confident face (300)
            face_row(2, 0, 0.97, 1, 302), face_row(2, 1, 0.9, 1, 101),  # ids swap: follow position, not id
            face_row(3, 0, 0.0, 0, 0),  # failed frame kept
            face_row(4, 0, 0.9, 1, 305)]
    p = tmp_path / "clip.csv"
    write_22_csv(p, rows, sep=",  ")  # varying spaces after the comma
    df = read_openface_csv(p)
    assert df.shape[1] == 714 and len(df) == 4
    assert df["frame"].tolist() == [1, 2, 3, 4]
    assert df["x_0"].tolist()[:2] == [300, 302]
    assert df["success"].tolist() == [True, True, False, True]
    out = openface_frame_table(df, "c").to_pandas()
    assert not out.loc[2, "success"] and np.isnan(out.loc[2, "AU12_r"])  # failed frame: features null
    assert out.loc[0, "AU12_r"] == pytest.approx(1.5) and out.loc[0, "AU45_c"] == 1


def test_22_layout_without_spaces(tmp_path):
    p = tmp_path / "c.csv"
    write_22_csv(p, [face_row(1, 0, 0.9, 1, 10)], sep=",")
    assert read_openface_csv(p).shape == (1, 714)


@pytest.mark.parametrize("mangle, message", [
    (lambda lines: lines[:-1] + [lines[-1].rsplit(",", 3)[0]], "truncated row at line 3"),
    (lambda lines: [lines[0].replace("success, ", "")] + [ln.split(", ", 5)[0] + ", " + ln.split(", ", 5)[5] for ln in lines[1:]], "missing required columns ['success']"),
    (lambda lines: [ln.replace(", ", ";") for ln in lines], "separated by semicolons"),
    (lambda lines: [ln.replace(", ", "\t") for ln in lines], "separated by tabs"),
    (lambda lines: lines[:1] + [lines[1].replace("0.900", "n/a", 1)] + lines[2:], "non-numeric value 'n/a' in column confidence"),
    (lambda lines: [], "empty file"),
])
def test_malformed_files_give_one_line_errors(tmp_path, mangle, message):
    p = tmp_path / "bad.csv"
    write_22_csv(p, [face_row(1, 0, 0.9, 1, 10), face_row(2, 0, 0.9, 1, 10)])
    p.write_text("\n".join(mangle(p.read_text().splitlines())))
    with pytest.raises(SessionError) as err:
        read_openface_csv(p, session="s1")
    text = str(err.value)
    assert message in text and "bad.csv" in text and "session 's1'" in text and "\n" not in text


def test_openface_rows_follow_the_pipelines_face_evidence(data_dir):
    """OpenFace's own success is kept only where the layout/tracks evidence allows a face (engage.face.evidence)."""
    df = read_openface_csv(data_dir / "openface" / "OpenFace_Test.csv")
    allowed = np.zeros(100, bool)
    allowed[10:60] = True
    out = openface_frame_table(df, "clip_a", allowed).to_pandas()
    assert out["success"].tolist() == allowed.tolist()
    assert (out.loc[~allowed, "confidence"] == 0).all() and out.loc[~allowed, "AU45_r"].isna().all()
    assert out.loc[allowed, "AU45_r"].notna().all()
    assert not openface_frame_table(df, "clip_a", np.zeros(100, bool)).to_pandas()["success"].any()
