"""Fault injection: one real ``--keep-going`` run over generated bad sessions next to one good one.

Every bad input is made here with ffmpeg from the sample recording (3 s, so the suite stays cheap).
The expected outcome of each case is the table in docs/robustness.md; this test checks it:

* a rejected session gets exactly ONE ``ERROR`` line on stderr naming the session, the file and
  the problem (no Python traceback);
* a degenerate-but-valid session (no audio, VFR, rotation, odd transcripts) completes its targets;
* the good session completes all its per-session outputs up to the features;
* no file outside the results folder (and Snakemake's own ``.snakemake/``) is created or modified.

Bad sessions target ``clips.parquet`` + ``features/asd.parquet`` (the stages that read the video,
audio and transcript); the good session targets every per-session output up to the features.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLE, run_snakemake

pytestmark = pytest.mark.e2e

FF = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
SECONDS = "3"

GOOD_TARGETS = [
    "media.json", "audio.wav", "layout.json", "tracks.parquet", "clips.parquet", "utterances.parquet",
    "features/face.parquet", "features/i3d.parquet", "features/asd.parquet", "features/clip_speech.parquet",
    "features/acoustics.parquet", "features/text.parquet", "features/interaction.parquet",
]
BAD_TARGETS = ["clips.parquet", "features/asd.parquet"]
CLIPS_ONLY = ["clips.parquet"]
CLIPS_ONLY_CASES = ("cues_cp1252", "cues_utf16", "cues_empty")

# Transcript bodies (cue text is ASCII-safe except where the encoding is the point).
OVERLAP_VTT = """WEBVTT

2
00:00:01.500 --> 00:00:02.800
<v Bea>second, but listed first

1
00:00:00.000 --> 00:00:02.000
<v Ann>first, overlaps the second

3
00:00:01.800 --> 00:00:02.500
<v Cid>fully inside both
"""
CP1252_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.400\n<v Zoë>Café – naïve “quotes”\n\n00:00:01.500 --> 00:00:02.900\n<v José>Ça va\n"
UTF16_SRT = "1\n00:00:00,000 --> 00:00:01,400\nZoë: Grüße\n\n2\n00:00:01,500 --> 00:00:02,900\n日本語のテキスト\n"


def ffmpeg(*args: str | Path) -> None:
    subprocess.run(FF + [str(a) for a in args], check=True, capture_output=True)


def short_clip(out: Path, *extra: str) -> Path:
    """The first 3 s of the sample (640x480 2x2 grid, 25 fps, AAC audio)."""
    ffmpeg("-i", SAMPLE / "gallery.mp4", "-t", SECONDS, "-c:v", "libx264", "-preset", "ultrafast", *extra, out)
    return out


def session_dir(sessions: Path, name: str) -> Path:
    d = sessions / name
    d.mkdir(parents=True)
    return d


def build_sessions(root: Path) -> dict[str, Path]:
    """Create sessions/ (good + bad cases) and outside/ (target of a symlinked session)."""
    sessions = root / "sessions"
    good = sessions / "good"
    shutil.copytree(SAMPLE, good)
    cache = root / "media"
    cache.mkdir()
    base = short_clip(cache / "short.mp4", "-c:a", "aac")
    d = {}

    d["truncated"] = session_dir(sessions, "truncated")  # header (faststart) intact, 40 % of the data
    fs = short_clip(cache / "faststart.mp4", "-c:a", "aac", "-movflags", "+faststart")
    data = fs.read_bytes()
    (d["truncated"] / "gallery.mp4").write_bytes(data[: int(len(data) * 0.4)])

    d["zero_byte"] = session_dir(sessions, "zero_byte")
    (d["zero_byte"] / "gallery.mp4").write_bytes(b"")

    d["audio_only"] = session_dir(sessions, "audio_only")
    ffmpeg("-i", base, "-vn", "-c:a", "copy", d["audio_only"] / "gallery.mp4")

    # No audio; the session folder is a symlink to a folder outside sessions/ (read, never written).
    outside = root / "outside" / "no_audio_src"
    outside.mkdir(parents=True)
    ffmpeg("-i", base, "-an", "-c:v", "copy", outside / "gallery.mp4")
    (sessions / "no_audio").symlink_to(outside, target_is_directory=True)
    d["no_audio"] = sessions / "no_audio"

    d["vfr_webm"] = session_dir(sessions, "vfr_webm")  # frames dropped irregularly, original timestamps kept
    ffmpeg("-i", base, "-vf", r"select='lt(mod(n\,10)\,3)+between(n\,30\,45)'", "-fps_mode", "vfr",
           "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-c:a", "libopus",
           d["vfr_webm"] / "gallery.webm")

    d["one_frame"] = session_dir(sessions, "one_frame")
    ffmpeg("-i", base, "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast", "-an", d["one_frame"] / "gallery.mp4")

    d["rotated"] = session_dir(sessions, "rotated")  # coded 640x480, displayed 480x640
    ffmpeg("-i", base, "-c", "copy", "-metadata:s:v", "rotate=90", d["rotated"] / "gallery.mp4")

    for name, fname, payload in (
        ("cues_overlap", "transcript.vtt", OVERLAP_VTT.encode("utf-8")),
        ("cues_cp1252", "transcript.vtt", CP1252_VTT.encode("cp1252")),  # invalid UTF-8 bytes
        ("cues_utf16", "transcript.srt", UTF16_SRT.encode("utf-16")),  # UTF-16 with BOM
        ("cues_empty", "transcript.vtt", b""),
    ):
        d[name] = session_dir(sessions, name)
        shutil.copy(base, d[name] / "gallery.mp4")
        (d[name] / fname).write_bytes(payload)

    # Folder names the workflow refuses (spaces, leading dash) or ignores (leading dot, hidden).
    for name in ("with space", "-dash", ".hidden"):
        shutil.copy(base, session_dir(sessions, name) / "gallery.mp4")
    return d


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """mtime_ns and size of every file/link under root except results/ and .snakemake/."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if rel.parts[0] in ("results", ".snakemake"):
            continue
        st = p.lstat()
        out[str(rel)] = (st.st_mtime_ns, st.st_size)
    return out


def error_lines(stderr: str, session: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("ERROR") and f"'{session}'" in ln]


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("faults")
    cases = build_sessions(root)
    results = root / "results"
    targets = [str(results / "good" / t) for t in GOOD_TARGETS]
    for s in cases:  # encoding/empty cases: the transcript is read first by clips (asd reads it the same way)
        targets += [str(results / s / t) for t in (CLIPS_ONLY if s in CLIPS_ONLY_CASES else BAD_TARGETS)]
    before = snapshot(root)
    proc = run_snakemake("--cores", "2", "--keep-going", *targets, check=False, cwd=root, timeout=600,
                         config={"sessions_dir": root / "sessions", "results_dir": results})
    return {"root": root, "results": results, "proc": proc, "before": before, "after": snapshot(root)}



# session -> (rule, file name, problem text) of its single ERROR line
REJECTED = {
    "truncated": ("ingest", "gallery.mp4", "truncated file: video data"),
    "zero_byte": ("ingest", "gallery.mp4", "video file is empty (0 bytes)"),
    "audio_only": ("ingest", "gallery.mp4", "no video stream"),
    "cues_empty": ("clips", "transcript.vtt", "transcript is empty"),
}
HANDLED = ("no_audio", "vfr_webm", "one_frame", "rotated", "cues_overlap", "cues_cp1252", "cues_utf16")


def read(path: Path):
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def media(run, session: str) -> dict:
    import json

    return json.loads((run["results"] / session / "media.json").read_text())


def test_run_fails_overall_without_tracebacks(fault_run):
    proc = fault_run["proc"]
    assert proc.returncode != 0  # the bad sessions fail ...
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]  # ... each with a line, not a stack


@pytest.mark.parametrize("session", sorted(REJECTED))
def test_rejected_session_gives_one_clear_line(fault_run, session):
    rule, fname, problem = REJECTED[session]
    lines = error_lines(fault_run["proc"].stderr, session)
    assert len(lines) == 1, lines or fault_run["proc"].stderr[-3000:]
    line = lines[0]
    assert line.startswith(f"ERROR [{rule}] session '{session}' (")
    assert f"/sessions/{session}/{fname}" in line and problem in line
    assert not (fault_run["results"] / session / "clips.parquet").exists()


@pytest.mark.parametrize("name", ["with space", "-dash"])
def test_unsafe_folder_names_are_refused_at_parse_time(fault_run, name):
    lines = [ln for ln in fault_run["proc"].stderr.splitlines() if ln.startswith(f"ERROR session '{name}'")]
    assert len(lines) == 1 and "unsafe session folder name" in lines[0] and lines[0].endswith("skipped")
    assert not (fault_run["results"] / name).exists()


def test_hidden_folder_is_ignored(fault_run):
    assert ".hidden" not in fault_run["proc"].stderr
    assert not (fault_run["results"] / ".hidden").exists()


def test_good_session_completes_everything(fault_run):
    assert not error_lines(fault_run["proc"].stderr, "good")
    for t in GOOD_TARGETS:
        assert (fault_run["results"] / "good" / t).is_file(), t
    assert len(read(fault_run["results"] / "good" / "clips.parquet")) >= 4


@pytest.mark.parametrize("session", HANDLED)
def test_degenerate_sessions_complete(fault_run, session):
    assert not error_lines(fault_run["proc"].stderr, session)
    targets = CLIPS_ONLY if session in CLIPS_ONLY_CASES else BAD_TARGETS
    for t in targets:
        assert (fault_run["results"] / session / t).is_file(), t


def test_no_audio_gives_silence_and_null_speech(fault_run):
    assert media(fault_run, "no_audio")["has_audio"] is False
    scores = read(fault_run["results"] / "no_audio" / "features" / "asd.parquet")
    assert scores and all(r["score"] is None and r["speaking"] is False for r in scores)
    assert all(r["utterances"] == [] for r in read(fault_run["results"] / "no_audio" / "clips.parquet"))


def test_vfr_is_resampled_to_the_25fps_timeline(fault_run):
    m = media(fault_run, "vfr_webm")
    assert m["timeline_fps"] == 25 and m["n_frames"] == 75
    clips = read(fault_run["results"] / "vfr_webm" / "clips.parquet")
    assert clips and all(c["n_frames"] == 75 for c in clips)


def test_rotation_uses_display_size(fault_run):
    m = media(fault_run, "rotated")
    assert (m["width"], m["height"]) == (480, 640) and m["rotation"] in (90, 270)
    for c in read(fault_run["results"] / "rotated" / "clips.parquet"):
        assert c["crop_x"] + c["crop_w"] <= 480 and c["crop_y"] + c["crop_h"] <= 640


def test_one_frame_video_gives_one_frame_clips(fault_run):
    clips = read(fault_run["results"] / "one_frame" / "clips.parquet")
    assert clips and all(c["n_frames"] == 1 and c["end"] == pytest.approx(0.04) for c in clips)


def test_overlapping_out_of_order_cues_are_kept_sorted_and_attributed(fault_run):
    utts = read(fault_run["results"] / "cues_overlap" / "utterances.parquet")
    assert [u["utterance"] for u in utts] == [1, 2, 3]
    assert [u["voice"] for u in utts] == ["Ann", "Bea", "Cid"]  # sorted by start time
    assert [(u["start"], u["end"]) for u in utts] == [(0.0, 2.0), (1.5, 2.8), (1.8, 2.5)]
    assert all(u["speaker"] for u in utts)  # audio + faces present: each cue gets a speaker


@pytest.mark.parametrize("session", ["cues_cp1252", "cues_utf16"])
def test_bad_encodings_are_decoded(fault_run, session):
    clips = read(fault_run["results"] / session / "clips.parquet")
    assert any(c["utterances"] for c in clips)
    log = (fault_run["results"] / "logs" / "clips" / f"{session}.log").read_text()
    assert ("not UTF-8" in log) == (session == "cues_cp1252")


def test_nothing_outside_results_is_touched(fault_run):
    before, after = fault_run["before"], fault_run["after"]
    assert set(after) == set(before), sorted(set(after) ^ set(before))
    assert {k for k in before if before[k] != after[k]} == set()


def test_target_path_with_dotdot_cannot_escape_results(fault_run):
    """A CLI target ``results/../x/...`` matches no rule (session names cannot hold '/' or start with '.')."""
    root, results = fault_run["root"], fault_run["results"]
    for target in (f"{results}/../escaped/clips.parquet", f"{results}/good/../../escaped/media.json"):
        proc = run_snakemake("--cores", "1", target, check=False, cwd=root,
                             config={"sessions_dir": root / "sessions", "results_dir": results})
        assert proc.returncode != 0
        assert "MissingRuleException" in proc.stderr or "No rule to produce" in proc.stderr, proc.stderr[-2000:]
    assert not (root / "escaped").exists() and not (results.parent.parent / "escaped").exists()
