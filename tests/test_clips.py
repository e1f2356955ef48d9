"""Clips stage on the real demo gallery: one decode, per-window mp4s, exact frame counts,
byte-identical reruns, layout changes, and one-line errors for bad input."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pyarrow.parquet as pq
import pytest

from contract_fixtures import write_layout
from engage.clips import cut_clips_session
from engage.cues import write_cues_session
from engage.contract import TRACKS
from engage.errors import SessionError
from engage.ingest import ingest_session
from engage.io.parquet import read_meta

TILES = [{"id": f"p{i:02d}", "x": (i % 2) * 320, "y": (i // 2) * 240, "w": 320, "h": 240, "camera_on": True}
         for i in range(4)]


def _layout(path, spans):
    write_layout(path, [(s["start"], s["end"], s["tiles"]) for s in spans], (640, 480))
    return path


def _tracks(path, persons_frames: dict[str, tuple[range, set]]):
    """A tracks.parquet with has_face true on the given frames (other columns dummies)."""
    rows = []
    for p, (frames, faces) in persons_frames.items():
        for f in frames:
            rows.append(dict(session="demo", person=p, frame=f, time=f / 25, tile_x=0, tile_y=0, tile_w=320, tile_h=240,
                             face_x=None, face_y=None, face_w=None, face_h=None, score=None, detected=False,
                             has_face=f in faces))
    TRACKS.write(path, TRACKS.from_rows(rows))
    return path


def _probe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
                          "stream=codec_type,codec_name,width,height,nb_read_packets", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    return {s["codec_type"]: s for s in json.loads(out.stdout)["streams"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_video):
    d = tmp_path_factory.mktemp("clips_demo")
    ingest_session(session="demo", video=demo_video, media_json=d / "media.json", audio_wav=d / "audio.wav")
    _layout(d / "layout.json", [{"start": 0, "end": 16.0, "tiles": TILES}])
    faces = {"p00": set(range(0, 400)), "p01": set(range(0, 100)), "p02": set(), "p03": set(range(300, 400))}
    _tracks(d / "tracks.parquet", {p: (range(400), f) for p, f in faces.items()})
    return d


def _run(d, demo_video, out, **kw):
    args = dict(session="demo", video=demo_video, media_json=d / "media.json", audio_wav=d / "audio.wav",
                layout_json=d / "layout.json", tracks_parquet=d / "tracks.parquet",
                clips_parquet=out / "clips.parquet", clips_dir=out / "clips")
    transcript = kw.pop("transcript", None)
    if transcript is not None:  # the clips rule reads cue times from rule cues' output
        out.mkdir(parents=True, exist_ok=True)
        write_cues_session(session="demo", transcript=transcript, media_json=d / "media.json", output=out / "cues.parquet")
        args["cues"] = out / "cues.parquet"
    args.update(kw)
    return cut_clips_session(**args)


def test_clips_on_demo_with_transcript(tmp_path, demo, demo_video):
    transcript = demo_video.parent / "transcript.vtt"
    _run(demo, demo_video, tmp_path / "a", transcript=transcript)
    df = pq.read_table(tmp_path / "a" / "clips.parquet").to_pandas()
    # Cues 0-4.637, 5.254-7.819, 8.077-12.439, 12.796-16: cut in the 7.819-8.077 pause (frame 198).
    assert df.clip_id.tolist() == [f"demo_{w:04d}_p{p:02d}" for w in range(2) for p in range(4)]
    assert df.start.tolist() == [0.0] * 4 + [7.92] * 4 and df.end.tolist() == [7.92] * 4 + [16.0] * 4
    assert df.n_frames.tolist() == [198] * 4 + [202] * 4
    assert [list(u) for u in df.utterances] == [[1, 2]] * 4 + [[3, 4]] * 4
    ff = dict(zip(df.clip_id, df.face_fraction))
    assert ff["demo_0000_p00"] == 1.0 and ff["demo_0000_p02"] == 0.0
    assert ff["demo_0000_p01"] == pytest.approx(100 / 198) and ff["demo_0001_p01"] == 0.0
    assert ff["demo_0001_p03"] == pytest.approx(100 / 202)
    assert (df[["crop_w", "crop_h"]].values == [320, 240]).all()
    for row in df.itertuples():
        info = _probe(tmp_path / "a" / row.path)
        assert info["video"]["codec_name"] == "h264" and (info["video"]["width"], info["video"]["height"]) == (320, 240)
        assert int(info["video"]["nb_read_packets"]) == row.n_frames
        assert info["audio"]["codec_name"] == "aac"
    assert sorted(p.name for p in (tmp_path / "a" / "clips").iterdir()) == sorted(f"{c}.mp4" for c in df.clip_id)
    meta = read_meta(tmp_path / "a" / "clips.parquet")
    assert meta["params"]["target_s"] == 10.0 and meta["transcript"] == "transcript.vtt"
    # No readable names, no participants.csv: the identity is the session-local <session>/<person>.
    assert df.identity.tolist() == [f"demo/p{p:02d}" for w in range(2) for p in range(4)]
    assert meta["participants"] is None and {v["source"] for v in meta["identities"].values()} == {"session"}
    # The clip shows the tile: p01's first frame equals the source's top-right quarter (up to coding noise).
    src = _frame(demo_video, "crop=320:240:320:0")
    clip = _frame(tmp_path / "a" / "clips" / "demo_0000_p01.mp4", "null")
    assert np.abs(src.astype(int) - clip.astype(int)).mean() < 6

    # Rerun into another folder: byte-identical mp4s and Parquet.
    _run(demo, demo_video, tmp_path / "b", transcript=transcript)
    for row in df.itertuples():
        assert (tmp_path / "a" / row.path).read_bytes() == (tmp_path / "b" / row.path).read_bytes(), row.path
    assert (tmp_path / "a" / "clips.parquet").read_bytes() == (tmp_path / "b" / "clips.parquet").read_bytes()


def test_identity_from_participants_and_confident_names(tmp_path, demo, demo_video):
    """csv key > csv name > confident tile name > <session>/<person>; a name shared by two tiles falls back."""
    d = tmp_path / "in"
    d.mkdir()
    named = [dict(t) for t in TILES]
    named[0].update(name="Maria Lopez", name_confidence=0.95)
    named[1].update(name="Sam Lee", name_confidence=0.5)  # too unsure: the csv key decides
    named[2].update(name="Alex Kim", name_confidence=0.9)
    named[3].update(name="ALEX KIM", name_confidence=0.93)  # same name as p02 in one session: both fall back
    _layout(d / "layout.json", [{"start": 0, "end": 16.0, "tiles": named}])
    (d / "participants.csv").write_text("person,name,key\np01,Sam Lee,S-17\n")
    _run(demo, demo_video, tmp_path / "a", layout_json=d / "layout.json", participants=d / "participants.csv")
    df = pq.read_table(tmp_path / "a" / "clips.parquet").to_pandas()
    assert dict(zip(df.person, df.identity)) == {"p00": "maria lopez", "p01": "S-17", "p02": "demo/p02",
                                                 "p03": "demo/p03"}
    meta = read_meta(tmp_path / "a" / "clips.parquet")
    assert meta["participants"] == "participants.csv" and meta["identities"]["p01"]["source"] == "participants key"
    _run(demo, demo_video, tmp_path / "b", layout_json=d / "layout.json", min_name_confidence=0.96)
    df = pq.read_table(tmp_path / "b" / "clips.parquet").to_pandas()
    assert set(df.identity) == {f"demo/p{p:02d}" for p in range(4)}


def _frame(path, vf):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vf", vf, "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8)


def test_layout_change_cuts_windows_and_changes_crops(tmp_path, demo, demo_video):
    d = tmp_path
    for name in ("media.json", "audio.wav", "tracks.parquet"):
        (d / name).write_bytes((demo / name).read_bytes())
    moved = {"id": "p00", "x": 1, "y": 241, "w": 319, "h": 239, "camera_on": True}  # odd: cropped to even
    _layout(d / "layout.json", [
        {"start": 0, "end": 6.0, "tiles": TILES[:2]},
        {"start": 6.0, "end": 16.0, "tiles": [moved, TILES[3]]},
    ])
    # Old clips in the folder from an earlier run must not survive.
    (d / "out" / "clips").mkdir(parents=True)
    (d / "out" / "clips" / "demo_0007_p09.mp4").write_bytes(b"stale")
    _run(d, demo_video, d / "out")  # no transcript: fixed windows per span
    df = pq.read_table(d / "out" / "clips.parquet").to_pandas()
    assert list(zip(df.window, df.person)) == [(0, "p00"), (0, "p01"), (1, "p00"), (1, "p03")]
    assert df.start.tolist() == [0.0, 0.0, 6.0, 6.0] and df.n_frames.tolist() == [150, 150, 250, 250]
    assert df.iloc[2][["crop_x", "crop_y", "crop_w", "crop_h"]].tolist() == [2, 242, 318, 238]
    assert all(len(u) == 0 for u in df.utterances)
    assert not (d / "out" / "clips" / "demo_0007_p09.mp4").exists()
    info = _probe(d / "out" / "clips" / "demo_0001_p00.mp4")
    assert (info["video"]["width"], info["video"]["height"]) == (318, 238)
    assert int(info["video"]["nb_read_packets"]) == 250


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", *args], check=True)


def test_session_without_audio_gets_silent_clips(tmp_path, demo, demo_video):
    video = tmp_path / "gallery.mp4"
    _ffmpeg("-i", str(demo_video), "-t", "6", "-an", "-c:v", "copy", str(video))
    ingest_session(session="demo", video=video, media_json=tmp_path / "media.json", audio_wav=tmp_path / "audio.wav")
    _layout(tmp_path / "layout.json", [{"start": 0, "end": 6.0, "tiles": TILES[:1]}])
    _tracks(tmp_path / "tracks.parquet", {"p00": (range(150), set())})
    table = _run(tmp_path, video, tmp_path / "out")
    assert table.num_rows == 1
    assert _probe(tmp_path / "out" / "clips" / "demo_0000_p00.mp4")["audio"]["codec_name"] == "aac"


def test_audio_shorter_than_video_gives_video_only_clips_after_its_end(tmp_path, demo, demo_video):
    """A span starting after the end of audio.wav must not fail the session (its clips have no audio)."""
    for name in ("media.json", "tracks.parquet"):
        (tmp_path / name).write_bytes((demo / name).read_bytes())
    _ffmpeg("-i", str(demo / "audio.wav"), "-t", "3", str(tmp_path / "audio.wav"))
    _layout(tmp_path / "layout.json", [{"start": 0, "end": 6.0, "tiles": TILES[:1]},
                                       {"start": 6.0, "end": 16.0, "tiles": TILES[1:2]}])
    df = _run(tmp_path, demo_video, tmp_path / "out").to_pandas()
    assert list(zip(df.window, df.person, df.n_frames)) == [(0, "p00", 150), (1, "p01", 250)]
    first = _probe(tmp_path / "out" / "clips" / "demo_0000_p00.mp4")
    later = _probe(tmp_path / "out" / "clips" / "demo_0001_p01.mp4")
    assert "audio" in first and "audio" not in later
    assert int(first["video"]["nb_read_packets"]) == 150 and int(later["video"]["nb_read_packets"]) == 250


@pytest.mark.parametrize(
    "transcript, needle",
    [(b"", "transcript is empty"), (b"WEBVTT\n\nnot a cue\n", "no timed cues"), (b"garbage\x00\x01", "not a text file")],
    ids=["empty", "no-cues", "garbled"],
)
def test_bad_transcript_is_one_line_session_error(tmp_path, demo, demo_video, transcript, needle):
    t = tmp_path / "transcript.vtt"
    t.write_bytes(transcript)
    with pytest.raises(SessionError) as err:
        _run(demo, demo_video, tmp_path / "out", transcript=t)
    msg = str(err.value)
    assert "\n" not in msg and "session 'demo'" in msg and str(t) in msg and needle in msg
    assert not (tmp_path / "out" / "clips.parquet").exists()


@pytest.mark.parametrize(
    "make, needle",
    [
        (lambda p, src: p.write_bytes(src.read_bytes()[:20000]), "truncated file"),
        (lambda p, src: p.write_bytes(b"\x00garbage" * 1000), "not a readable video"),
        (lambda p, src: _ffmpeg("-i", str(src), "-vn", "-c:a", "copy", "-f", "mp4", str(p)), "no video stream"),
    ],
    ids=["truncated", "garbage", "audio-only"],
)
def test_bad_video_is_one_line_session_error(tmp_path, demo, demo_video, make, needle):
    bad = tmp_path / "gallery.mp4"
    make(bad, demo_video)
    with pytest.raises(SessionError) as err:
        _run(demo, bad, tmp_path / "out")
    msg = str(err.value)
    assert "\n" not in msg and "session 'demo'" in msg and str(bad) in msg and needle in msg
    assert not (tmp_path / "out" / "clips.parquet").exists()
    assert not list((tmp_path / "out" / "clips").glob("*.mp4"))


def test_odd_frame_size_uses_bgr_path(tmp_path, demo_video):
    """Odd-sized recordings cannot be decoded as 4:2:0 planes: the BGR path must give the same clips."""
    video = tmp_path / "gallery.mkv"
    _ffmpeg("-i", str(demo_video), "-t", "2", "-vf", "scale=321:241", "-c:v", "ffv1", "-c:a", "aac", str(video))
    ingest_session(session="demo", video=video, media_json=tmp_path / "media.json", audio_wav=tmp_path / "audio.wav")
    n = json.loads((tmp_path / "media.json").read_text())["n_frames"]  # container: ~2 s
    tile = {"id": "p00", "x": 0, "y": 0, "w": 321, "h": 241, "camera_on": True}
    _layout(tmp_path / "layout.json", [{"start": 0, "end": n / 25, "tiles": [tile]}])
    _tracks(tmp_path / "tracks.parquet", {"p00": (range(n), set(range(25)))})
    df = _run(tmp_path, video, tmp_path / "out").to_pandas()
    assert df[["crop_x", "crop_y", "crop_w", "crop_h"]].values.tolist() == [[0, 0, 320, 240]]
    assert df.face_fraction.tolist() == [pytest.approx(25 / n)] and df.n_frames.tolist() == [n]
    info = _probe(tmp_path / "out" / "clips" / "demo_0000_p00.mp4")
    assert (info["video"]["width"], info["video"]["height"]) == (320, 240) and int(info["video"]["nb_read_packets"]) == n
    src = _frame(video, "crop=320:240:0:0")
    assert np.abs(src.astype(int) - _frame(tmp_path / "out" / "clips" / "demo_0000_p00.mp4", "null").astype(int)).mean() < 6


def test_clip_video_starts_at_zero_and_decodes_to_n_frames(tmp_path, demo, demo_video):
    """Clips decode on the 25 fps timeline to exactly n_frames: no AAC-priming offset of the video."""
    import ffmpeg

    from engage.media.decode import FrameReader

    _run(demo, demo_video, tmp_path, transcript=demo_video.parent / "transcript.vtt")
    clips = pq.read_table(tmp_path / "clips.parquet").to_pandas()
    for row in clips.itertuples():
        path = tmp_path / row.path
        v = next(s for s in ffmpeg.probe(str(path))["streams"] if s["codec_type"] == "video")
        assert float(v.get("start_time", 0)) == 0.0, (row.clip_id, v.get("start_time"))
        assert sum(1 for _ in FrameReader(path, scale=(32, 24))) == row.n_frames, row.clip_id
