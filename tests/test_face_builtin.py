"""Built-in (MediaPipe) face backend on real fixture videos: plausible pose, mirror symmetry, no-face clips, stage output."""

from __future__ import annotations

import subprocess

import numpy as np
import pyarrow.parquet as pq
import pytest

from contract_fixtures import clip, write_clips, write_layout, write_tracks
from engage.contract import FACE
from engage.face.builtin import FaceMeshBackend
from engage.face.stage import face_session_builtin
from engage.io.parquet import read_meta


def cut(src, dst, seconds, hflip=False):
    vf = ["-vf", "hflip"] if hflip else []
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-t", str(seconds), *vf, "-an",
                    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", str(dst)], check=True)
    return dst


@pytest.fixture(scope="module")
def clips(tmp_path_factory, data_dir):
    d = tmp_path_factory.mktemp("face_clips")
    v = data_dir / "video"
    return {
        "aoc": cut(v / "talking_AOC.mp4", d / "aoc.mp4", 3),
        "katie": cut(v / "talking_KatieHill.mp4", d / "katie.mp4", 3),
        "katie_flip": cut(v / "talking_KatieHill.mp4", d / "katie_flip.mp4", 3, hflip=True),
        "wolf": cut(v / "silent_WolfgangLanger.mp4", d / "wolf.mp4", 3),
        "wolf_flip": cut(v / "silent_WolfgangLanger.mp4", d / "wolf_flip.mp4", 3, hflip=True),
        "noface": cut(v / "no_face.mp4", d / "noface.mp4", 2),
    }


@pytest.fixture(scope="module")
def results(clips):
    backend = FaceMeshBackend()
    return {k: backend.extract(p, k).to_pandas() for k, p in clips.items()}


@pytest.mark.parametrize("name", ["aoc", "katie", "wolf"])
def test_talking_heads_have_plausible_pose_and_gaze(results, name):
    df = results[name]
    assert len(df) == 75  # 3 s on the 25 fps timeline
    ok = df[df["success"]]
    assert len(ok) >= 0.9 * len(df)
    assert (np.degrees(ok["pose_Ry"].abs()) < 35).all() and (np.degrees(ok["pose_Rx"].abs()) < 35).all()
    assert (np.degrees(ok["pose_Rz"].abs()) < 30).all()
    assert ok["pose_Tz"].between(100, 2000).all()  # mm in front of the camera
    assert (ok[["gaze_angle_x", "gaze_angle_y"]].abs() < np.radians(45)).all().all()
    assert ok["confidence"].between(0.3, 1).all()
    if name == "wolf":  # she cries with closed eyes during the first seconds (checked by eye)
        assert ok["eye_openness_0"].median() < 0.1 and ok["eye_openness_1"].median() < 0.1
    else:
        assert ok["eye_openness_0"].median() > 0.15 and ok["eye_openness_1"].median() > 0.15
    # landmarks inside the frame, jaw runs from image left (0) to image right (16)
    assert (ok["x_0"] < ok["x_8"]).all() and (ok["x_8"] < ok["x_16"]).all() and (ok["y_8"] > ok["y_27"]).all()
    assert df["AU12_r"].isna().all() and df["p_scale"].isna().all()


@pytest.mark.parametrize("name", ["katie", "wolf"])
def test_mirrored_video_flips_yaw_roll_and_horizontal_gaze(results, name):
    a, b = results[name], results[f"{name}_flip"]
    for col, min_abs in (("pose_Ry", np.radians(2)), ("pose_Rz", None), ("gaze_angle_x", np.radians(1.5))):
        ma, mb = a[col].mean(), b[col].mean()
        if min_abs is not None:
            assert abs(ma) > min_abs, f"{col}: fixture too frontal to test the sign ({ma})"
        assert np.sign(ma) == -np.sign(mb), (col, ma, mb)
        assert abs(ma + mb) < 0.35 * max(abs(ma), abs(mb)) + np.radians(1), (col, ma, mb)
    # pitch and vertical gaze do not change sign under a horizontal mirror
    assert abs(a["pose_Rx"].mean() - b["pose_Rx"].mean()) < np.radians(2)


def test_no_face_clip_gives_failed_rows(results):
    df = results["noface"]
    assert len(df) == 50 and not df["success"].any()
    assert df["pose_Ry"].isna().all() and df["x_0"].isna().all()
    assert (df["confidence"] == 0).all()


def test_stage_function_writes_one_schema_and_is_deterministic(tmp_path, clips):
    sdir = tmp_path / "res" / "s1"
    (sdir / "clips").mkdir(parents=True)
    ids = ["s1_0000_p00", "s1_0000_p01", "s1_0001_p00"]
    for cid, key in zip(ids, ["noface", "aoc", "katie"]):
        (sdir / "clips" / f"{cid}.mp4").write_bytes(clips[key].read_bytes())
    # rows deliberately unsorted; the stage sorts by clip_id
    write_clips(sdir / "clips.parquet", [clip("s1", int(c[3:7]), c[-3:], 3.0 * int(c[3:7]), 3.0 * int(c[3:7]) + 3.0)
                                         for c in ids[::-1]])
    evidence = _evidence(sdir)
    out1, out2 = sdir / "features" / "face.parquet", tmp_path / "face2.parquet"
    face_session_builtin(session="s1", clips_parquet=sdir / "clips.parquet", output=out1, threads=1, **evidence)
    face_session_builtin(session="s1", clips_parquet=sdir / "clips.parquet", output=out2, threads=2, **evidence)
    assert out1.read_bytes() == out2.read_bytes()  # workers do not change results
    t = pq.read_table(out1)
    assert t.schema.equals(FACE.schema(), check_metadata=False)
    df = t.to_pandas()
    assert df["clip_id"].unique().tolist() == sorted(ids)
    assert set(df["backend"]) == {"builtin"}
    assert not df[df.clip_id == "s1_0000_p00"]["success"].any()
    assert df[df.clip_id == "s1_0000_p01"]["success"].mean() > 0.9
    meta = read_meta(out1)
    assert meta["stage"] == "face" and meta["backend"] == "builtin" and meta["backend_version"].startswith("mediapipe==")
    assert meta["params"]["min_detection_confidence"] == 0.8 and meta["params"]["min_tracking_confidence"] == 0.9
    assert meta["evidence"] == {"frames": 225, "frames_camera_off": 0, "frames_without_tracked_face": 0}


def _evidence(sdir, camera_on=True, face=True) -> dict:
    """layout.json (p00, p01 in one span; p01's camera as given) and tracks.parquet (faces as given)."""
    tiles = [{"id": "p00", "x": 0, "y": 0, "w": 320, "h": 240},
             {"id": "p01", "x": 320, "y": 0, "w": 320, "h": 240, "camera_on": camera_on}]
    write_layout(sdir / "layout.json", [(0.0, 6.0, tiles)], (640, 480))
    write_tracks(sdir / "tracks.parquet", {"p00": (0, 150, True), "p01": (0, 150, face)})
    return {"tracks_parquet": sdir / "tracks.parquet", "layout_json": sdir / "layout.json"}


@pytest.mark.parametrize("case", ["camera_off", "no_tracked_face", "partly_tracked"])
def test_no_success_without_the_pipelines_face_evidence(tmp_path, clips, case):
    """A real face in the crop, but the layout says camera off (a still profile picture) or the tracks stage
    found no face there (initials in a circle pass MediaPipe's own checks): those frames must fail."""
    sdir = tmp_path / "s1"
    (sdir / "clips").mkdir(parents=True)
    (sdir / "clips" / "s1_0000_p01.mp4").write_bytes(clips["aoc"].read_bytes())
    write_clips(sdir / "clips.parquet", [clip("s1", 0, "p01", 0.0, 3.0)])
    face = {"camera_off": True, "no_tracked_face": False, "partly_tracked": set(range(0, 40))}[case]
    evidence = _evidence(sdir, camera_on=case != "camera_off", face=face)
    out = sdir / "face.parquet"
    face_session_builtin(session="s1", clips_parquet=sdir / "clips.parquet", output=out, **evidence)
    df = pq.read_table(out).to_pandas()
    assert len(df) == 75
    if case == "partly_tracked":
        assert df["success"][:40].mean() > 0.9 and not df["success"][40:].any()
    else:
        assert not df["success"].any()
    bad = df[~df["success"]]
    assert (bad["confidence"] == 0).all() and bad["pose_Ry"].isna().all() and bad["x_0"].isna().all()
    meta = read_meta(out)["evidence"]
    assert meta["frames"] == 75
    assert (meta["frames_camera_off"], meta["frames_without_tracked_face"]) == {
        "camera_off": (75, 0), "no_tracked_face": (0, 75), "partly_tracked": (0, 35)}[case]


def test_missing_clip_video_is_a_clear_error(tmp_path):
    from engage.errors import SessionError

    write_clips(tmp_path / "clips.parquet", [clip("c", 1, "p00", 0.0, 1.0)])
    with pytest.raises(SessionError, match="video of clip c_0001_p00 listed in clips.parquet is missing"):
        face_session_builtin(session="s", clips_parquet=tmp_path / "clips.parquet", output=tmp_path / "f.parquet",
                             **_evidence(tmp_path))
