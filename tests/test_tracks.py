"""Tracks: track filling/interpolation rules (pure) and the stage on real video with MediaPipe."""

from __future__ import annotations

import subprocess

import numpy as np
import pyarrow.parquet as pq
import pytest

from contract_fixtures import write_layout
from engage.errors import SessionError
from engage.ingest import ingest_session
from engage.io.parquet import read_meta
from engage.tracks import track_session
from engage.tracks.detector import Box
from engage.tracks.track import choose_face, fill_track


def B(x, y=0.0, w=10.0, h=10.0, s=0.9):
    return Box(float(x), float(y), float(w), float(h), s)


def test_fill_track_interpolates_short_gaps_and_nulls_long_ones():
    frames = [0, 5, 10, 15, 20]
    boxes = [B(0, s=0.8), B(10, s=0.9), None, B(30, s=0.7), None]
    tr = fill_track(0, 22, frames, boxes, every=5, max_gap=10, smooth_radius=0)
    assert tr.frames.tolist() == list(range(22))
    assert tr.detected.tolist() == [f in frames for f in range(22)]
    # 0..15 bridged (5->15 is 10 frames <= max_gap); 16,17 hold frame 15; 18..21 nearest sample 20: no face.
    assert tr.has_face.tolist() == [True] * 18 + [False] * 4
    np.testing.assert_allclose(tr.box[:16, 0], np.concatenate([np.arange(0, 10, 2), np.arange(10, 31, 2)]), atol=1e-5)
    assert tr.score[2] == pytest.approx(0.84, abs=1e-6)  # 0.8 -> 0.9 over frames 0..5
    assert np.isnan(tr.score[7:15]).all()  # interpolated across the no-face sample at 10
    assert tr.score[10] != tr.score[10] and tr.has_face[10]
    assert tr.score[16] == pytest.approx(0.7)
    assert np.isnan(tr.box[18:]).all()


def test_fill_track_long_gap_is_no_face():
    frames = [0, 5, 10, 15]
    boxes = [B(0), B(10), None, B(30)]
    tr = fill_track(0, 16, frames, boxes, every=5, max_gap=5, smooth_radius=0)
    # 6,7 hold 5; 8..12 nearest the no-face sample 10; 13,14,15 nearest 15.
    assert tr.has_face.tolist() == [True] * 8 + [False] * 5 + [True] * 3


def test_fill_track_without_samples_or_faces():
    tr = fill_track(3, 7, [], [], every=5, max_gap=25)
    assert not tr.has_face.any() and not tr.detected.any() and np.isnan(tr.box).all()
    tr = fill_track(0, 10, [0, 5], [None, None], every=5, max_gap=25)
    assert not tr.has_face.any() and tr.detected.sum() == 2


def test_smoothing_averages_neighbours_inside_a_run_only():
    tr = fill_track(0, 21, [0, 5, 10, 15, 20], [B(0), B(10), B(50), B(30), None], every=5, max_gap=5, smooth_radius=1)
    assert tr.box[5, 0] == pytest.approx(20.0)  # (0 + 10 + 50) / 3
    assert tr.box[0, 0] == pytest.approx(0.0)  # run edge: no one-sided average
    assert tr.box[15, 0] == pytest.approx(30.0)  # next sample has no face: edge of the run


def test_choose_face_prefers_continuity_then_large_central():
    big_corner = B(0, 0, 40, 40)
    mid_center = B(80, 40, 36, 36)
    assert choose_face([big_corner, mid_center], None, 200, 120) == mid_center
    prev = B(2, 2, 38, 38)
    assert choose_face([big_corner, mid_center], prev, 200, 120) == big_corner
    assert choose_face([], prev, 200, 120) is None


# ---------------------------------------------------------------- stage on real video


def _layout(path, tiles, duration, size=(640, 480)):
    write_layout(path, [(0.0, duration, tiles)], size)
    return path


def _demo_tiles(camera_off=()):
    return [
        {"id": f"p{i:02d}", "x": (i % 2) * 320, "y": (i // 2) * 240, "w": 320, "h": 240,
         "camera_on": i not in camera_off, "name": None}
        for i in range(4)
    ]


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory, demo_video):
    d = tmp_path_factory.mktemp("demo_media")
    ingest_session(session="demo", video=demo_video, media_json=d / "media.json", audio_wav=d / "audio.wav")
    return d


def test_track_session_on_demo(tmp_path, demo_video, demo_media):
    layout = _layout(tmp_path / "layout.json", _demo_tiles(), 16.0)
    out = tmp_path / "tracks.parquet"
    kw = dict(session="demo", video=demo_video, media_json=demo_media / "media.json", layout_json=layout)
    track_session(**kw, tracks_parquet=out)
    df = pq.read_table(out).to_pandas()
    assert len(df) == 4 * 400 and list(df.columns)[:4] == ["session", "person", "frame", "time"]
    assert df.groupby("person").frame.apply(lambda f: f.tolist() == list(range(400))).all()
    faces = df.groupby("person").has_face.mean()
    # Truth (tests/data/demo_truth.json): faces in p00-p02 all the time, none in p03 (animated sky).
    assert (faces[["p00", "p01", "p02"]] > 0.95).all() and faces["p03"] < 0.1
    assert df.groupby("person").detected.sum().tolist() == [80] * 4  # every 5th frame
    on = df[df.person != "p03"]
    # Face boxes are in display pixels, inside their tile.
    f = on[on.has_face]
    assert (f.face_x >= f.tile_x - 1).all() and (f.face_x + f.face_w <= f.tile_x + f.tile_w + 1).all()
    assert (f.face_y >= f.tile_y - 1).all() and (f.face_y + f.face_h <= f.tile_y + f.tile_h + 1).all()
    assert (f.face_w > 30).all() and f.score.between(0.5, 1.0).sum() > 0.5 * len(f)
    meta = read_meta(out)
    assert meta["stage"] == "tracks" and meta["params"]["every"] == 5 and meta["source_sha256"]
    # Rerun: byte-identical.
    out2 = tmp_path / "tracks2.parquet"
    track_session(**kw, tracks_parquet=out2)
    assert out.read_bytes() == out2.read_bytes()


def test_small_face_in_large_tile_is_found(tmp_path, data_dir):
    video = tmp_path / "gallery.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(data_dir / "video" / "silent_single_face.mp4"), "-t", "1",
                    "-vf", "scale=320:180,pad=1280:720:480:270:black", "-c:v", "libx264", "-preset", "veryfast", "-an",
                    str(video)], check=True)
    ingest_session(session="far", video=video, media_json=tmp_path / "media.json", audio_wav=tmp_path / "a.wav")
    tile = {"id": "p00", "x": 0, "y": 0, "w": 1280, "h": 720, "camera_on": True, "name": None}
    layout = _layout(tmp_path / "layout.json", [tile], 1.0, (1280, 720))
    summary = track_session(session="far", video=video, media_json=tmp_path / "media.json", layout_json=layout,
                            tracks_parquet=tmp_path / "t.parquet")
    df = pq.read_table(tmp_path / "t.parquet").to_pandas()
    assert summary["p00"]["frames"] == len(df) and summary["p00"]["face_frames"] == df.has_face.sum()
    assert df.has_face.mean() > 0.9
    f = df[df.has_face]
    # The face is in the 320x180 picture pasted at (480, 270).
    assert f.face_x.between(480, 800).all() and f.face_y.between(270, 450).all()


def test_tile_without_face_and_malformed_layout(tmp_path, data_dir):
    video = data_dir / "video" / "no_face.mp4"
    ingest_session(session="nf", video=video, media_json=tmp_path / "media.json", audio_wav=tmp_path / "a.wav")
    tile = {"id": "p00", "x": 0, "y": 0, "w": 960, "h": 540, "camera_on": True}
    off = {"id": "p01", "x": 0, "y": 0, "w": 480, "h": 270, "camera_on": False}
    layout = _layout(tmp_path / "layout.json", [tile, off], 3.944, (960, 540))
    track_session(session="nf", video=video, media_json=tmp_path / "media.json", layout_json=layout,
                  tracks_parquet=tmp_path / "t.parquet")
    df = pq.read_table(tmp_path / "t.parquet").to_pandas()
    p0, p1 = df[df.person == "p00"], df[df.person == "p01"]
    assert len(p0) == len(p1) > 90 and p0.detected.any() and p0.has_face.mean() < 0.1
    # Camera-off tile: never searched, rows without a face.
    assert not p1.detected.any() and not p1.has_face.any() and p1.face_x.isna().all() and p1.score.isna().all()
    bad = tmp_path / "bad_layout.json"
    bad.write_text('{"spans": [{"start": 0, "tiles": [{"id": "p00"}]}]}')
    with pytest.raises(SessionError, match="session 'nf'.*malformed layout.json"):
        track_session(session="nf", video=video, media_json=tmp_path / "media.json", layout_json=bad,
                      tracks_parquet=tmp_path / "t2.parquet")
