"""acoustics stage: known-pitch tones, speaker-relative high/low, real speech, degenerate input."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import REPO
from contract_fixtures import write_tables

from engage.acoustics import acoustics_session
from engage.intervals import merge_intervals
from engage.acoustics.features import SpeakerReference, speaker_pitch_range, speaker_reference, x_aud
from engage.errors import SessionError
from engage.io.parquet import read_meta
from engage.media.decode import extract_audio

RATE = 16000


def write_wav(path: Path, x: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def tone(freq: float, seconds: float, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return amp * np.sin(2 * np.pi * freq * t)


def run(tmp: Path, wav: Path, windows, persons, cues, **kw) -> pa.Table:
    paths = write_tables(tmp, "s1", windows, persons, cues, speakers=True)
    out = tmp / "features" / "acoustics.parquet"
    acoustics_session(session="s1", audio=wav, output=out, **{k: v for k, v in paths.items()}, **kw)
    return pq.read_table(out)


def rows_by_clip(table: pa.Table) -> dict[str, dict]:
    return {r["clip_id"]: r for r in table.to_pylist()}


def test_sine_pitch_within_one_percent(tmp_path):
    """150 Hz spoken by p00 in window 0, 220 Hz by p01 in window 1: each person's pitch is its tone's."""
    x = np.concatenate([tone(150, 2.0), np.zeros(RATE // 2), tone(220, 2.0)])
    wav = write_wav(tmp_path / "audio.wav", x)
    t = run(tmp_path, wav, [(0, 2.25), (2.25, 4.5)], ["p00", "p01"],
            [(0.0, 2.0, "low", "p00"), (2.5, 4.5, "high", "p01")])
    r = rows_by_clip(t)
    low, high = r["s1_0000_p00"], r["s1_0001_p01"]
    assert low["has_speech"] and high["has_speech"]
    assert low["pitch_mean_hz"] == pytest.approx(150, rel=0.01)
    assert high["pitch_mean_hz"] == pytest.approx(220, rel=0.01)
    assert np.nanmedian(np.array(low["pitch_hz"], dtype=float)) == pytest.approx(150, rel=0.01)
    assert low["L"] == pytest.approx(2.0) and high["L"] == pytest.approx(2.0)
    # a pure tone is steady: almost all frames voiced, tiny pitch spread, high HNR
    assert low["n_voiced"] >= 0.9 * low["n_frames"]
    assert low["std_p"] < 0.2 and low["hnr_db"] > 20
    # the second pass ran with a range derived from the tone
    assert low["pitch_range_source"] == "two-pass"
    assert low["pitch_floor_hz"] < 150 < low["pitch_ceiling_hz"]
    # p00 does not speak in window 1, p01 not in window 0
    for cid in ("s1_0001_p00", "s1_0000_p01"):
        assert r[cid]["has_speech"] is False and r[cid]["L"] == 0.0
        assert r[cid]["Hv"] is None and r[cid]["std_p"] is None and r[cid]["pitch_hz"] is None


def test_speaker_relative_high_low_on_constructed_levels(tmp_path):
    """One speaker: loud 1 s, medium 2 s, quiet 1 s (and 120/160/220 Hz): high/low relative to the speaker."""
    x = np.concatenate([tone(220, 1.0, 0.5), tone(160, 2.0, 0.5 / 10 ** (10 / 20)), tone(120, 1.0, 0.5 / 10 ** (20 / 20))])
    wav = write_wav(tmp_path / "audio.wav", x)
    t = run(tmp_path, wav, [(0, 1), (1, 3), (3, 4)], ["p00"], [(0.0, 4.0, "all", "p00")])
    r = rows_by_clip(t)
    loud, mid, quiet = r["s1_0000_p00"], r["s1_0001_p00"], r["s1_0002_p00"]
    # the speaker reference is over all 4 s: mean at the medium level, std ~ 0.71 x 10 dB
    assert loud["speaker_intensity_std_db"] == pytest.approx(7.07, abs=1.0)
    assert loud["Hv"] > 0.9 and loud["Lv"] == 0.0
    assert quiet["Lv"] > 0.9 and quiet["Hv"] == 0.0
    assert mid["Hv"] < 0.05 and mid["Lv"] < 0.05
    assert loud["Hp"] > 0.9 and loud["Lp"] == 0.0
    assert quiet["Lp"] > 0.9 and quiet["Hp"] == 0.0
    # the shares are exactly the definition applied to the stored contours and speaker reference
    for row in (loud, mid, quiet):
        db = np.array(row["intensity_db"], dtype=np.float64)
        hi = row["speaker_intensity_mean_db"] + row["speaker_intensity_std_db"]
        assert row["Hv"] == pytest.approx(np.mean(db > hi), abs=2 / len(db))
        assert len(row["contour_time"]) == len(row["pitch_hz"]) == len(row["intensity_db"]) == row["n_frames"]
        assert 0 <= min(row["contour_time"]) and max(row["contour_time"]) < row["end"] - row["start"]


def test_x_aud_definitions_on_hand_made_frames():
    ref = SpeakerReference(intensity_mean=60.0, intensity_std=5.0, pitch_mean=200.0, pitch_std=20.0, n_frames=0, n_voiced=0)
    db = np.array([70, 66, 65, 60, 55, 50, 54, 61], dtype=float)  # >65: 70,66 ; <55: 50,54
    f0 = np.array([250, np.nan, 221, 200, 179, 150, np.nan, 200], dtype=float)  # voiced 6: >220: 250,221 ; <180: 179,150
    v = x_aud(1.5, db, f0, ref)
    assert v["L"] == 1.5
    assert v["Hv"] == pytest.approx(2 / 8) and v["Lv"] == pytest.approx(2 / 8)
    assert v["Hp"] == pytest.approx(2 / 6) and v["Lp"] == pytest.approx(2 / 6)
    assert v["std_v"] == pytest.approx(np.std(db))
    voiced = f0[np.isfinite(f0)]
    assert v["std_p"] == pytest.approx(np.std(12 * np.log2(voiced)))
    # no voiced frame: pitch values undefined, intensity still defined
    v2 = x_aud(0.5, db[:2], np.array([np.nan, np.nan]), ref)
    assert v2["Hp"] is None and v2["std_p"] is None and v2["Hv"] == 1.0
    r = speaker_reference(db, f0)
    assert r.n_voiced == 6 and r.pitch_mean == pytest.approx(np.mean(voiced))


def test_two_pass_range_follows_quartiles():
    f0 = np.linspace(100, 200, 101)
    lo, hi, src = speaker_pitch_range(f0, 60, 600)
    assert src == "two-pass" and lo == pytest.approx(0.75 * 125) and hi == pytest.approx(1.5 * 175)
    assert speaker_pitch_range(f0[:5], 60, 600) == (60, 600, "first-pass")


def test_merge_intervals():
    assert merge_intervals([(3, 4), (0, 1), (0.5, 2), (2, 2.5), (5, 5)]) == [(0, 2.5), (3, 4)]


@pytest.fixture(scope="module")
def demo_wav(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("demo") / "audio.wav"
    extract_audio(REPO / "examples" / "sessions" / "demo" / "gallery.mp4", p)
    return p


DEMO_CUES = [(0.0, 4.637, "[utterance 1]", "p00"), (5.254, 7.819, "[utterance 2]", "p00"),
             (8.077, 12.439, "[utterance 3]", "p02"), (12.796, 16.0, "[utterance 4]", "p02")]


def test_real_speech_on_demo_gallery(tmp_path, demo_wav):
    """The demo's two talking heads (speaker A 0-8 s, speaker B 8-16 s): plausible voice values."""
    t = run(tmp_path, demo_wav, [(0, 8), (8, 16)], ["p00", "p01", "p02", "p03"], DEMO_CUES)
    r = rows_by_clip(t)
    speaking = {cid for cid, row in r.items() if row["has_speech"]}
    assert speaking == {"s1_0000_p00", "s1_0001_p02"}
    for cid in speaking:
        row = r[cid]
        assert 100 < row["pitch_mean_hz"] < 300
        assert 40 < row["intensity_mean_db"] < 90
        assert 0 < row["jitter_local"] < 0.1 and 0 < row["shimmer_local"] < 0.3 and 0 < row["hnr_db"] < 30
        assert 0 < row["std_p"] < 12 and 0 < row["std_v"] < 30
        for k in ("Hv", "Lv", "Hp", "Lp"):
            assert 0 <= row[k] <= 1
    assert r["s1_0000_p00"]["L"] == pytest.approx(4.637 + (7.819 - 5.254))
    assert r["s1_0001_p02"]["L"] == pytest.approx((12.439 - 8.077) + (16.0 - 12.796))
    for cid in set(r) - speaking:
        assert r[cid]["L"] == 0.0 and all(r[cid][k] is None for k in ("Hv", "Lv", "Hp", "Lp", "std_v", "std_p"))
    meta = read_meta(tmp_path / "features" / "acoustics.parquet")
    assert meta["stage"] == "acoustics" and meta["params"]["time_step"] == 0.01
    assert set(meta["speakers"]) == {"p00", "p02"}


def test_cue_across_windows_and_rerun_is_byte_identical(tmp_path, demo_wav):
    """A cue straddling two windows counts in both, only for its part inside each; reruns give the same bytes."""
    cues = [(6.0, 10.0, "straddles", "p00")]
    t = run(tmp_path / "a", demo_wav, [(0, 8), (8, 16)], ["p00"], cues)
    r = rows_by_clip(t)
    assert r["s1_0000_p00"]["L"] == pytest.approx(2.0) and r["s1_0001_p00"]["L"] == pytest.approx(2.0)
    assert max(r["s1_0000_p00"]["contour_time"]) < 8.0
    run(tmp_path / "b", demo_wav, [(0, 8), (8, 16)], ["p00"], cues)
    a = (tmp_path / "a" / "features" / "acoustics.parquet").read_bytes()
    b = (tmp_path / "b" / "features" / "acoustics.parquet").read_bytes()
    assert a == b


def test_silence_and_tiny_cues_do_not_crash(tmp_path):
    """Attributed cues over digital silence and a 20 ms cue: has_speech true, undefined values null."""
    wav = write_wav(tmp_path / "audio.wav", np.zeros(3 * RATE))
    t = run(tmp_path, wav, [(0, 3)], ["p00", "p01"], [(0.5, 2.5, "", "p00"), (1.0, 1.02, "uh", "p01")])
    r = rows_by_clip(t)
    s, tiny = r["s1_0000_p00"], r["s1_0000_p01"]
    assert s["has_speech"] and s["L"] == pytest.approx(2.0)
    assert s["Hp"] is None and s["std_p"] is None and s["n_voiced"] == 0
    assert s["intensity_mean_db"] == 0.0  # digital silence is floored at 0 dB, not Praat's -300 dB
    assert tiny["has_speech"] and tiny["L"] == pytest.approx(0.02)


def test_no_utterances_at_all(tmp_path):
    wav = write_wav(tmp_path / "audio.wav", tone(150, 2.0))
    t = run(tmp_path, wav, [(0, 2)], ["p00"], [(0.0, 2.0, "nobody", None)])
    assert t.num_rows == 1 and t.column("has_speech").to_pylist() == [False]


def test_bad_inputs_are_one_line_session_errors(tmp_path):
    wav = write_wav(tmp_path / "audio.wav", tone(150, 1.0))
    paths = write_tables(tmp_path, "s1", [(0, 1)], ["p00"], [(0.0, 1.0, "x", "p00")], speakers=True)
    pq.write_table(pa.table({"clip_id": ["a"]}), paths["clips"])
    with pytest.raises(SessionError, match="lacks column"):
        acoustics_session(session="s1", audio=wav, output=tmp_path / "o.parquet", **paths)
    paths = write_tables(tmp_path, "s1", [(0, 1)], ["p00"], [(0.0, 1.0, "x", "p00")], speakers=True)
    (tmp_path / "bad.wav").write_bytes(b"not a wav")
    with pytest.raises(SessionError, match="bad.wav"):
        acoustics_session(session="s1", audio=tmp_path / "bad.wav", output=tmp_path / "o.parquet", **paths)


def test_bad_pitch_range_is_config_error(tmp_path):
    from engage.errors import ConfigError

    wav = write_wav(tmp_path / "audio.wav", tone(150, 1.0))
    paths = write_tables(tmp_path, "s1", [(0, 1)], ["p00"], [(0.0, 1.0, "x", "p00")], speakers=True)
    with pytest.raises(ConfigError, match="pitch_floor"):
        acoustics_session(session="s1", audio=wav, output=tmp_path / "o.parquet", pitch_floor=600, pitch_ceiling=60, **paths)
