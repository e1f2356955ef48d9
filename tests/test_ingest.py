"""Ingest: probing, 25 fps timeline decoding, audio extraction and bad-input errors on real files."""

from __future__ import annotations

import json
import subprocess
import wave

import pytest

from engage.errors import SessionError
from engage.ingest import ingest_session
from engage.media.decode import FrameReader
from engage.media.probe import probe_media


def test_probe_demo(demo_video):
    info = probe_media(demo_video)
    assert (info["width"], info["height"]) == (640, 480)
    assert info["duration"] == pytest.approx(16.0, abs=0.05)
    assert info["has_audio"] and not info["vfr"]


def test_framereader_counts_and_seek(demo_video):
    frames = [i for i, _ in FrameReader(demo_video, scale=(64, 48))]
    assert frames == list(range(400))
    sub = [(i, f.shape) for i, f in FrameReader(demo_video, crop=(0, 240, 320, 240), gray=True, start=8.0, duration=1.0)]
    assert [i for i, _ in sub] == list(range(200, 225)) and sub[0][1] == (240, 320)
    every = [i for i, _ in FrameReader(demo_video, scale=(64, 48), every=5)]
    assert every == list(range(0, 400, 5))


def test_ingest_writes_media_and_audio(tmp_path, demo_video):
    info = ingest_session(session="demo", video=demo_video, media_json=tmp_path / "m.json", audio_wav=tmp_path / "a.wav")
    saved = json.loads((tmp_path / "m.json").read_text())
    assert saved["n_frames"] == 400 and saved["source_sha256"] == info["source_sha256"]
    with wave.open(str(tmp_path / "a.wav")) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1
        assert w.getnframes() / 16000 == pytest.approx(16.0, abs=0.1)


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", *args], check=True)


def test_vfr_input_is_resampled_to_25fps(tmp_path, demo_video):
    vfr = tmp_path / "vfr.mkv"
    # Variable frame rate: drop a varying number of frames (setpts keeps original times).
    _ffmpeg("-i", str(demo_video), "-t", "4", "-vf", "select='not(mod(n,3))+not(mod(n,7))',setpts=N/TB/25*1.3",
            "-fps_mode", "vfr", "-an", str(vfr))
    info = probe_media(vfr)
    n = sum(1 for _ in FrameReader(vfr, scale=(32, 24)))
    assert n == pytest.approx(info["duration"] * 25, abs=2)


@pytest.mark.parametrize(
    "make, needle",
    [
        (lambda p, src: p.write_bytes(b""), "empty"),
        (lambda p, src: p.write_bytes(src.read_bytes()[:20000]), "video"),
        (lambda p, src: p.write_bytes(b"\x00garbage" * 1000), "not a readable video"),
        (lambda p, src: _ffmpeg("-i", str(src), "-vn", "-c:a", "copy", str(p)), "no video stream"),
    ],
    ids=["zero-bytes", "truncated", "garbage", "audio-only"],
)
def test_bad_video_gives_one_line_session_error(tmp_path, demo_video, make, needle):
    bad = tmp_path / "gallery.mp4"
    make(bad, demo_video)
    with pytest.raises(SessionError) as err:
        ingest_session(session="bad", video=bad, media_json=tmp_path / "m.json", audio_wav=tmp_path / "a.wav")
    msg = str(err.value)
    assert "\n" not in msg and "session 'bad'" in msg and str(bad) in msg and needle in msg
    assert not (tmp_path / "m.json").exists()


def test_video_without_audio_gets_silence(tmp_path, demo_video):
    noaudio = tmp_path / "gallery.mp4"
    _ffmpeg("-i", str(demo_video), "-t", "2", "-an", "-c:v", "copy", str(noaudio))
    info = ingest_session(session="s", video=noaudio, media_json=tmp_path / "m.json", audio_wav=tmp_path / "a.wav")
    assert info["has_audio"] is False
    with wave.open(str(tmp_path / "a.wav")) as w:
        assert w.getnframes() > 0
    with pytest.raises(SessionError, match="no audio"):
        ingest_session(session="s", video=noaudio, media_json=tmp_path / "m2.json", audio_wav=tmp_path / "a2.wav", require_audio=True)


def test_truncated_file_with_front_index_is_rejected(tmp_path, demo_video):
    """A faststart mp4 cut short still probes and decodes its start; ingest must refuse it, not pad it."""
    full = tmp_path / "full.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(demo_video), "-t", "3", "-c", "copy",
                    "-movflags", "+faststart", str(full)], check=True)
    cut = tmp_path / "gallery.mp4"
    cut.write_bytes(full.read_bytes()[: int(full.stat().st_size * 0.4)])
    assert probe_media(cut)["duration"] == pytest.approx(3.0, abs=0.1)  # the header alone looks fine
    with pytest.raises(SessionError, match=r"truncated file: video data (ends at|is missing after) [0-9.]+ s of 3\.") as e:
        ingest_session(session="s", video=cut, media_json=tmp_path / "m.json", audio_wav=tmp_path / "a.wav")
    assert "\n" not in str(e.value) and "'s'" in str(e.value)
    assert not (tmp_path / "m.json").exists()
    ingest_session(session="s", video=full, media_json=tmp_path / "m.json", audio_wav=tmp_path / "a.wav")
