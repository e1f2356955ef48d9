"""Fault injection: one real ``--keep-going`` run over generated bad sessions next to one good one.

Every bad input is made here with ffmpeg from the sample recording (3 s, so the suite stays cheap).
The expected outcome of each case is the table in docs/robustness.md; this test checks it:

* a rejected session gets exactly ONE ``ERROR`` line on stderr naming the session, the file and
  the problem (no Python traceback);
* a degenerate-but-valid session (no audio, VFR, rotation, odd transcripts) completes its targets;
* the good session completes all its per-session outputs up to the features;
* no file outside the results folder (and Snakemake's own ``.snakemake/``) is created or modified.

Bad sessions target ``clips.parquet`` + ``features/asd.parquet`` (the stages that read the video,
audio and transcript); transcript cases that test only the cues target ``cues.parquet`` (encodings,
an empty file: ingest and cues, two jobs instead of five) or ``clips.parquet`` (cues past the end);
the good session (the same 3 s with a one-cue transcript) targets every per-session output up to
the features.
"""

from __future__ import annotations

import json
import random
import re
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
CUES_ONLY = ["cues.parquet"]
#: Sessions whose tests read who said what (rules cues -> speakers -> utterances after asd).
WITH_UTTERANCES = ("cues_overlap", "two_of_each")
#: Transcript cases whose tests read only cues.parquet, or also clips.parquet (no asd run for them).
CUES_ONLY_CASES = ("cues_cp1252", "cues_utf16", "cues_utf16_nobom", "cues_empty")
CLIPS_ONLY_CASES = ("cues_past_end",)

# Transcript bodies (cue text is ASCII-safe except where the encoding is the point).
# The good session's: the sample's first cue (Speaker A talks from 0 s to 4.6 s), cut at the 3 s end.
GOOD_VTT = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.960\n<v Speaker A>[utterance 1]\n"
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
# An .srt turned into a .vtt by adding the header (comma decimals kept), with character references.
COMMA_VTT = "WEBVTT\n\n1\n00:00:00,000 --> 00:00:01,400\n<v Ann>Q&amp;A: 2 &lt; 3\n\n2\n00:00:01,500 --> 00:00:02,900\nTom &amp; Jerry\n"
ASCII_SRT = "1\n00:00:00,000 --> 00:00:01,400\nHello there\n\n2\n00:00:01,500 --> 00:00:02,900\nplain ASCII\n"
# A 3 s recording: one cue runs past its end, two start after it (a transcript of a longer recording).
PAST_END_VTT = ("WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nin time\n\n00:00:02.500 --> 00:00:05.000\nruns past the end\n\n"
                "00:00:07.000 --> 00:00:08.000\nafter the end\n\n00:00:09.000 --> 00:00:10.000\nlater still\n")
UTF16_SRT = "1\n00:00:00,000 --> 00:00:01,400\nZoë: Grüße\n\n2\n00:00:01,500 --> 00:00:02,900\n日本語のテキスト\n"


def ffmpeg(*args: str | Path) -> None:
    subprocess.run(FF + [str(a) for a in args], check=True, capture_output=True)


def short_clip(out: Path, *extra: str) -> Path:
    """The first 3 s of the sample (640x480 2x2 grid, 25 fps, AAC audio)."""
    ffmpeg("-i", SAMPLE / "gallery.mp4", "-t", SECONDS, "-c:v", "libx264", "-preset", "ultrafast", *extra, out)
    return out


def overwrite_bytes(data: bytes, share: float, blocks: int = 40, seed: int = 1) -> bytes:
    """``share`` of the bytes overwritten with random ones, in ``blocks`` blocks spread over the media data
    (5-85 % of the file: the mp4 header and the index at the end stay readable)."""
    rnd = random.Random(seed)
    out = bytearray(data)
    size = int(len(out) * share / blocks)
    lo, hi = int(len(out) * 0.05), int(len(out) * 0.85)
    for start in sorted(rnd.sample(range(lo, hi - size, size), blocks)):
        out[start:start + size] = rnd.randbytes(size)
    return bytes(out)


def session_dir(sessions: Path, name: str) -> Path:
    d = sessions / name
    d.mkdir(parents=True)
    return d


def build_sessions(root: Path) -> dict[str, Path]:
    """Create sessions/ (good + bad cases) and outside/ (target of a symlinked session)."""
    sessions = root / "sessions"
    cache = root / "media"
    cache.mkdir()
    base = short_clip(cache / "short.mp4", "-c:a", "aac")
    d = {}

    # The good session: the same 3 s with a transcript (the 16 s sample made the run 15 % longer).
    good = session_dir(sessions, "good")
    shutil.copy(base, good / "gallery.mp4")
    (good / "transcript.vtt").write_text(GOOD_VTT)

    d["truncated"] = session_dir(sessions, "truncated")  # header (faststart) intact, 40 % of the data
    fs = short_clip(cache / "faststart.mp4", "-c:a", "aac", "-movflags", "+faststart")
    data = fs.read_bytes()
    (d["truncated"] / "gallery.mp4").write_bytes(data[: int(len(data) * 0.4)])

    d["truncated_index"] = session_dir(sessions, "truncated_index")  # index (moov) at the end: cut off with it
    (d["truncated_index"] / "gallery.mp4").write_bytes(base.read_bytes()[: int(base.stat().st_size * 0.4)])

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
        ("cues_past_end", "transcript.vtt", PAST_END_VTT.encode("utf-8")),
    ):
        d[name] = session_dir(sessions, name)
        shutil.copy(base, d[name] / "gallery.mp4")
        (d[name] / fname).write_bytes(payload)

    d["cues_utf16_nobom"] = session_dir(sessions, "cues_utf16_nobom")  # ASCII text: valid UTF-8 too, with NULs
    shutil.copy(base, d["cues_utf16_nobom"] / "gallery.mp4")
    (d["cues_utf16_nobom"] / "transcript.srt").write_bytes(ASCII_SRT.encode("utf-16-le"))

    # Degraded but usable recordings: one warning each (log, stderr, media.json/layout.json, report).
    d["corrupt_20pct"] = session_dir(sessions, "corrupt_20pct")  # 20 % of the bytes overwritten, index intact
    (d["corrupt_20pct"] / "gallery.mp4").write_bytes(overwrite_bytes(base.read_bytes(), 0.2))
    d["low_fps"] = session_dir(sessions, "low_fps")  # 2 frames per second (the timeline repeats each 12.5 times)
    ffmpeg("-i", base, "-vf", "fps=2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "copy",
           d["low_fps"] / "gallery.mp4")
    d["small_picture"] = session_dir(sessions, "small_picture")  # the 2x2 grid in 192x144: 96x72 tiles
    ffmpeg("-i", base, "-vf", "scale=192:144", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "copy",
           d["small_picture"] / "gallery.mp4")

    # Hand-made layout.json overrides with times or tile ids that used to crash tracks/clips (NaN was even
    # copied into the output layout.json, which is then not JSON).
    for name, (start, end, tile_id) in OVERRIDE_CASES.items():
        d[name] = session_dir(sessions, name)
        shutil.copy(base, d[name] / "gallery.mp4")
        tiles = ", ".join(f'{{"id": "{tile_id if k == 0 else f"p{k:02d}"}", "x": {x}, "y": {y}, "w": 320, "h": 240}}'
                          for k, (x, y) in enumerate([(0, 0), (320, 0), (0, 240), (320, 240)]))
        (d[name] / "layout.json").write_text(f'{{"spans": [{{"start": {start}, "end": {end}, "tiles": [{tiles}]}}]}}')

    # Two recordings and two transcripts: gallery.mp4 and transcript.vtt are used (the others would fail:
    # an empty mkv, an empty srt), with one warning each; the vtt has comma decimals and &amp;.
    d["two_of_each"] = session_dir(sessions, "two_of_each")
    shutil.copy(base, d["two_of_each"] / "gallery.mp4")
    (d["two_of_each"] / "gallery.mkv").write_bytes(b"")
    (d["two_of_each"] / "transcript.vtt").write_text(COMMA_VTT)
    (d["two_of_each"] / "transcript.srt").write_bytes(b"")

    # Folder names the workflow refuses (spaces, leading dash; names of shared results folders) or ignores
    # (leading dot, hidden).
    for name in ("with space", "-dash", ".hidden", *RESERVED_NAMES):
        shutil.copy(base, session_dir(sessions, name) / "gallery.mp4")
    # Folders without a usable recording: none, wrong case, a dangling symbolic link.
    (session_dir(sessions, "no_gallery") / "transcript.vtt").write_text(OVERLAP_VTT)
    shutil.copy(base, session_dir(sessions, "upper_case") / "Gallery.MP4")
    (session_dir(sessions, "dangling") / "gallery.mp4").symlink_to(root / "media" / "deleted.mp4")
    return d


def targets_of(session: str) -> list[str]:
    """The outputs a bad session's run asks for (the good session: GOOD_TARGETS)."""
    return CUES_ONLY if session in CUES_ONLY_CASES else CLIPS_ONLY if session in CLIPS_ONLY_CASES else BAD_TARGETS


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
    for s in cases:  # encoding/empty cases: the transcript is read first by rule cues (utterances reads it the same way)
        targets += [str(results / s / t) for t in targets_of(s)]
        targets += [str(results / s / "utterances.parquet")] if s in WITH_UTTERANCES else []
    before = snapshot(root)
    # One thread per job: on 3 s recordings a job is mostly its process start, so two at a time on the
    # 2 cores (rules that ask for 2 or more threads would run one by one) make the run much shorter.
    proc = run_snakemake("--cores", "2", "--max-threads", "1", "--keep-going", *targets, check=False, cwd=root,
                         timeout=600, config={"sessions_dir": root / "sessions", "results_dir": results})
    return {"root": root, "results": results, "proc": proc, "before": before, "after": snapshot(root)}



#: session -> (start, end, first tile id) of its layout.json override (JSON text as written)
OVERRIDE_CASES = {
    "override_end_nan": ("0", "NaN", "p00"),
    "override_start_inf": ("-Infinity", "3.0", "p00"),
    "override_end_inf": ("0", "Infinity", "p00"),
    "override_unordered": ("3.0", "0", "p00"),
    "override_id_dotdot": ("0", "3.0", "../../x"),
    "override_id_slash": ("0", "3.0", "a/b"),
    "override_id_long": ("0", "3.0", "p" * 300),
}

# session -> (rule, file name, problem text) of its single ERROR line
REJECTED = {
    "truncated": ("ingest", "gallery.mp4", "truncated file: video data"),
    "truncated_index": ("ingest", "gallery.mp4", "not a readable video (ffprobe: "),
    "zero_byte": ("ingest", "gallery.mp4", "video file is empty (0 bytes)"),
    "audio_only": ("ingest", "gallery.mp4", "no video stream"),
    "cues_empty": ("cues", "transcript.vtt", "transcript is empty"),
    "override_end_nan": ("layout", "layout.json", "layout override: span 0: end is NaN (times must be finite"),
    "override_start_inf": ("layout", "layout.json", "layout override: span 0: start is -Infinity (times must be"),
    "override_end_inf": ("layout", "layout.json", "layout override: span 0: end is Infinity (times must be"),
    "override_unordered": ("layout", "layout.json", "layout override: span 0: end 0 is before start 3.0"),
    "override_id_dotdot": ("layout", "layout.json", "layout override: span 0 tile 0: id '../../x' is not a safe name"),
    "override_id_slash": ("layout", "layout.json", "layout override: span 0 tile 0: id 'a/b' is not a safe name"),
    "override_id_long": ("layout", "layout.json", "is 300 characters long (at most 64"),
}
HANDLED = ("no_audio", "vfr_webm", "one_frame", "rotated", "cues_overlap", "cues_past_end", "cues_cp1252", "cues_utf16",
           "cues_utf16_nobom", "two_of_each", "corrupt_20pct", "low_fps", "small_picture")
# session -> (rule, document, problem text) of its single WARNING line on stderr (also in the document's warnings)
WARNED = {
    "corrupt_20pct": ("ingest", "media.json", re.compile(r"\d+ decode errors in the video stream \(e\.g\. '.+'; more "
                                                         r"than ingest\.max_decode_errors = 10\)")),
    "low_fps": ("ingest", "media.json", re.compile(r"the video has 2\.0 frames per second \(below "
                                                   r"ingest\.min_source_fps = 10\): .* repeats about 12 times")),
    "small_picture": ("layout", "layout.json", re.compile(r"4 of 4 camera-on tiles \(p00, p01, p02, p03\) are smaller "
                                                          r"than layout\.min_tile_size = 90 px \(smallest 96x72")),
}
#: Lines the native libraries print (absl/TFLite C++ logging, protobuf's deprecation warning): never on stderr.
NATIVE_NOISE = re.compile(r"^[IWEF]\d{4} |absl::InitializeLog|XNNPACK delegate|inference_feedback_manager|"
                          r"SymbolDatabase\.GetPrototype|warnings\.warn\(")
#: Session folders named like the results folders all sessions share (results/logs/<stage>/<s>.log ...).
RESERVED_NAMES = ("logs", "benchmarks", "Models")
# folder -> problem text of its single parse-time line "ERROR session '<name>' in <dir>: <problem>; skipped"
REFUSED_AT_PARSE = {
    "with space": "unsafe session folder name",
    "-dash": "unsafe session folder name",
    "logs": "reserved session folder name",
    "benchmarks": "reserved session folder name",
    "Models": "reserved session folder name",
    "no_gallery": "no recording: expected one of gallery.mp4",
    "upper_case": "found Gallery.MP4 but file names are case-sensitive: rename it to gallery.mp4",
    "dangling": "gallery.mp4 is a broken symbolic link",
}


def read(path: Path):
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def media(run, session: str) -> dict:
    return json.loads((run["results"] / session / "media.json").read_text())


def test_run_fails_overall_without_tracebacks(fault_run):
    proc = fault_run["proc"]
    assert proc.returncode != 0  # the bad sessions fail ...
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]  # ... each with a line, not a stack


def test_no_native_library_chatter_on_stderr(fault_run):
    """More than 140 TFLite/absl/protobuf lines buried the one-line errors; they go to the job logs now."""
    noise = [ln for ln in fault_run["proc"].stderr.splitlines() if NATIVE_NOISE.search(ln)]
    assert noise == [], noise[:5]
    logs = "".join(p.read_text(errors="replace") for p in (fault_run["results"] / "logs" / "tracks").glob("*.log"))
    assert "XNNPACK" in logs or "inference_feedback_manager" in logs  # produced, and kept in the logs


@pytest.mark.parametrize("session", sorted(WARNED))
def test_degraded_recordings_warn_once_and_record_it(fault_run, session):
    """Decode errors (20 % of the bytes overwritten), 2 fps, a picture too small for its grid: the session runs,
    with one warning line naming session, file and problem, also in media.json/layout.json warnings."""
    rule, doc, problem = WARNED[session]
    lines = [ln for ln in fault_run["proc"].stderr.splitlines() if ln.startswith("WARNING") and f"'{session}'" in ln]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"WARNING engage.{rule}.") and f"session '{session}' (" in lines[0]
    assert f"/sessions/{session}/gallery.mp4" in lines[0] and problem.search(lines[0]), lines[0]
    warnings = json.loads((fault_run["results"] / session / doc).read_text())["warnings"]
    assert len(warnings) == 1 and problem.search(warnings[0]), warnings
    m = media(fault_run, session)
    if session == "corrupt_20pct":
        assert m["decode_errors"] > 10 and m["frames_decoded"] < 75
    else:
        assert m["decode_errors"] == 0
    assert m["source_fps"] == (2.0 if session == "low_fps" else pytest.approx(m["frames_decoded"] / 3.0, abs=0.01))


def test_good_recordings_have_no_warnings(fault_run):
    m = media(fault_run, "good")
    assert m["warnings"] == [] and m["decode_errors"] == 0 and m["source_fps"] == 25.0
    assert json.loads((fault_run["results"] / "good" / "layout.json").read_text())["warnings"] == []


@pytest.mark.parametrize("session", sorted(REJECTED))
def test_rejected_session_gives_one_clear_line(fault_run, session):
    rule, fname, problem = REJECTED[session]
    lines = error_lines(fault_run["proc"].stderr, session)
    assert len(lines) == 1, lines or fault_run["proc"].stderr[-3000:]
    line = lines[0]
    assert line.startswith(f"ERROR [{rule}] session '{session}' (")
    assert f"/sessions/{session}/{fname}" in line and problem in line
    assert not (fault_run["results"] / session / "clips.parquet").exists()


@pytest.mark.parametrize("name", sorted(REFUSED_AT_PARSE))
def test_folders_are_refused_at_parse_time_with_one_line(fault_run, name):
    lines = [ln for ln in fault_run["proc"].stderr.splitlines() if f"session {name!r}" in ln]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"ERROR session {name!r} in ") and REFUSED_AT_PARSE[name] in lines[0]
    assert lines[0].endswith("skipped")
    if name not in RESERVED_NAMES:
        assert not (fault_run["results"] / name).exists()


def test_reserved_names_get_no_jobs(fault_run):
    """A session 'logs' was part of `all`: its outputs went to results/logs/media.json ... and a rerun of
    its clips deleted results/logs/clips/<other session>.log."""
    root, results = fault_run["root"], fault_run["results"]
    proc = run_snakemake("-n", "--cores", "2", check=False, cwd=root,
                         config={"sessions_dir": root / "sessions", "results_dir": results})
    assert proc.returncode == 0, proc.stderr[-3000:]
    planned = proc.stdout + proc.stderr
    assert "/good/" in planned or "Nothing to be done" in planned, planned[-2000:]
    for name in RESERVED_NAMES:
        assert f"{results}/{name}/media.json" not in planned and f"/{name}.log" not in planned, name
    for name in RESERVED_NAMES:
        assert not list(results.glob(f"logs/*/{name}.log")) and not (results / name / "media.json").exists()
    assert (results / "logs" / "clips" / "good.log").is_file()


def test_two_recordings_or_transcripts_warn_once_naming_the_file_used(fault_run):
    lines = [ln for ln in fault_run["proc"].stderr.splitlines() if ln.startswith("WARNING session 'two_of_each'")]
    assert lines == [
        f"WARNING session 'two_of_each' in {fault_run['root'] / 'sessions'}: found gallery.mp4 and gallery.mkv; using gallery.mp4",
        f"WARNING session 'two_of_each' in {fault_run['root'] / 'sessions'}: found transcript.vtt and transcript.srt; "
        "using transcript.vtt",
    ]


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
    for t in targets_of(session):
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


@pytest.mark.parametrize("session", ["cues_cp1252", "cues_utf16", "cues_utf16_nobom"])
def test_bad_encodings_are_decoded(fault_run, session):
    cues = read(fault_run["results"] / session / "cues.parquet")
    assert [(c["start"], c["end"]) for c in cues] == [(0.0, 1.4), (1.5, 2.9)]
    if session == "cues_cp1252":
        assert [c["voice"] for c in cues] == ["Zoë", "José"]
    log = (fault_run["results"] / "logs" / "cues" / f"{session}.log").read_text()  # the rule that reads cue times
    assert ("not UTF-8" in log) == (session == "cues_cp1252")
    assert ("is UTF-16 without a byte-order mark; decoded as utf-16-le" in log) == (session == "cues_utf16_nobom")


def test_cues_after_or_past_the_end_of_the_recording_are_warned_about(fault_run):
    from engage.io.parquet import read_meta

    res = fault_run["results"]
    warnings = read_meta(res / "cues_past_end" / "cues.parquet")["warnings"]
    assert len(warnings) == 2, warnings
    assert "2 cue(s) start after the end of the recording (3.00 s), first at 7.00 s" in warnings[0]
    assert "1 cue(s) run past the end of the recording (3.00 s), up to 5.00 s (cue 2)" in warnings[1]
    log = (res / "logs" / "cues" / "cues_past_end.log").read_text()
    assert all(w in log for w in warnings)
    clips = read(res / "cues_past_end" / "clips.parquet")
    assert {u for c in clips for u in c["utterances"]} == {1, 2}  # the cues after the end get no clip


def test_webvtt_comma_decimals_and_character_references(fault_run):
    utts = read(fault_run["results"] / "two_of_each" / "utterances.parquet")
    assert [(u["start"], u["end"], u["text"]) for u in utts] == [(0.0, 1.4, "Q&A: 2 < 3"), (1.5, 2.9, "Tom & Jerry")]
    log = (fault_run["results"] / "logs" / "cues" / "two_of_each.log").read_text()
    assert "WebVTT with SRT-style comma decimals in 2 cue time(s)" in log


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


# --- Config faults: each is one parse (a dry run); the workflow stops before any job with one line. ---


def _config_run(root: Path, sessions, results, *extra: str, **kw):
    return run_snakemake("-n", "--cores", "1", *extra, check=False, cwd=root,
                         config={"sessions_dir": sessions, "results_dir": results, **kw})


def _one_error(proc) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR")]
    assert len(lines) == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "Failed validating" not in proc.stderr, proc.stderr[-3000:]
    return lines[0]


@pytest.mark.parametrize("case, problem", [
    ("results_inside_sessions", "is inside sessions_dir"),
    ("results_is_sessions", "is the sessions_dir"),
    ("results_is_sessions_by_link", "is the sessions_dir"),
    ("sessions_inside_results", "is inside results_dir"),
    ("sessions_missing", "does not exist"),
])
def test_unusable_folders_stop_at_parse_time(tmp_path, case, problem):
    """Outputs in the session folders were read as sessions by the next run (cyclic dependency); a
    missing sessions_dir ran nothing and said nothing."""
    (tmp_path / "sessions" / "s1").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "sessions", target_is_directory=True)
    (tmp_path / "outer" / "sessions").mkdir(parents=True)
    sessions, results = {
        "results_inside_sessions": ("sessions", "sessions/s1/results"),
        "results_is_sessions": (tmp_path / "sessions", "sessions/"),
        "results_is_sessions_by_link": ("sessions", "link"),
        "sessions_inside_results": (tmp_path / "outer" / "sessions", tmp_path / "outer"),
        "sessions_missing": (tmp_path / "nope", tmp_path / "results"),
    }[case]
    before = snapshot(tmp_path)
    proc = _config_run(tmp_path, sessions, results)
    assert proc.returncode != 0
    line = _one_error(proc)
    assert line.startswith("ERROR config: ") and problem in line
    assert snapshot(tmp_path) == before  # nothing written


def test_empty_sessions_dir_says_so(tmp_path):
    (tmp_path / "sessions").mkdir()
    proc = _config_run(tmp_path, tmp_path / "sessions", tmp_path / "results")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"WARNING sessions_dir {tmp_path / 'sessions'}: no session" in proc.stderr


def test_nested_config_numbers_from_the_command_line(fault_run):
    """--config 'clips={target_s: 10.0}' failed with "'10.0' is not of type 'number'" and a schema dump; it
    now means the number 10.0 (the default: the good session's clips are up to date, no params change)."""
    root, results = fault_run["root"], fault_run["results"]
    target = str(results / "good" / "clips.parquet")
    proc = _config_run(root, root / "sessions", results, target, clips="{target_s: 10.0, min_s: 5.0}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-3000:]
    proc = _config_run(root, root / "sessions", results, target, clips="{target_s: ten}")
    assert proc.returncode != 0
    line = _one_error(proc)
    assert line.startswith("ERROR config: key clips.target_s: 'ten' is not of type 'number'"), line
