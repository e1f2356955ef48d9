#!/usr/bin/env python3
"""Cost of every per-cue stage with a huge transcript (default 100,000 cues) on the sample session.

Why: a transcript is the only input whose size is not bounded by the recording; per-cue work must
be linear and lean (issue 17: session_report took 236 s and 2.4 GB with 100k cues). This runs, each
in a fresh process so time and peak memory (RSS) are that stage's own, once with the sample's own
transcript and once with a synthetic one of ``--cues`` cues (seeded, voices and words drawn at random,
times overlapping all over the recording):

* reference: reading the transcript (``engage.transcript.read_transcript``), the floor of any
  stage that uses it;
* clips (windows, per-window cue lists, the clip mp4s: the encoding does not depend on the cues),
  cues (cue times), speakers (attribution on the sample's real scores), utterances (text joined back),
  clip_speech, text (model missing: the per-clip texts, no embedding), interaction, acoustics, and
  session_report.

It prints per stage: wall seconds and peak RSS for both transcripts, and the big run's time as a
multiple of the reference. Upstream outputs come from a finished sample run (``--results``, e.g.
``results/demo`` after ``./pipeline.sh sample``); without one, ingest ... asd run once first
(Snakemake, a few minutes).

    .venv/bin/python bench/cue_scale.py [--cues 100000] [--results results/demo]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sessions" / "demo"
SESSION = "demo"
UPSTREAM = ["media.json", "audio.wav", "layout.json", "tracks.parquet", "features/asd.parquet",
            "clips.parquet", "features/face.parquet", "features/i3d.parquet"]
STAGES = ["reference", "cues", "clips", "speakers", "utterances", "clip_speech", "text", "interaction", "acoustics",
          "session_report"]
WORDS = ("so the gradient of this loss is what we follow downhill until it stops changing and that is "
         "one step yes no maybe I think it's really confusing could you repeat the last part please").split()


def synthetic_transcript(path: Path, n: int, duration: float, seed: int = 0) -> None:
    """``n`` WebVTT cues over [0, duration): random starts, 0.3-4 s long, 1-15 words, 6 voices."""
    rnd = random.Random(seed)
    voices = [f"Student {k}" for k in range(5)] + ["Teacher"]

    def ts(t: float) -> str:
        ms = int(round(t * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    lines = ["WEBVTT", ""]
    for k in range(n):
        s = rnd.uniform(0, max(0.1, duration - 0.3))
        e = min(duration, s + rnd.uniform(0.3, 4.0))
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 15)))
        lines += [str(k + 1), f"{ts(s)} --> {ts(max(e, s + 0.001))}", f"<v {rnd.choice(voices)}>{text}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# ------------------------------------------------------------------------------------------- stages


def run_child(stage: str, work: Path) -> None:
    """One stage on ``work`` (results/<s>-like folder with ``transcript.vtt``), in this process."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    transcript = work / "transcript.vtt"
    if stage == "reference":
        from engage.transcript import read_transcript

        read_transcript(transcript, SESSION)
    elif stage == "cues":
        from engage.cues import write_cues_session

        write_cues_session(session=SESSION, transcript=transcript, media_json=work / "media.json",
                           output=work / "cues.parquet")
    elif stage == "clips":
        from engage.clips.stage import cut_clips_session

        cut_clips_session(session=SESSION, video=work / "gallery.mp4", media_json=work / "media.json",
                          audio_wav=work / "audio.wav", layout_json=work / "layout.json",
                          tracks_parquet=work / "tracks.parquet", clips_parquet=work / "clips.parquet",
                          clips_dir=work / "clips", cues=work / "cues.parquet")
    elif stage == "speakers":
        from engage.speakers import attribute_speakers_session

        attribute_speakers_session(session=SESSION, asd=work / "features" / "asd.parquet", cues=work / "cues.parquet",
                                   layout_json=work / "layout.json", media_json=work / "media.json",
                                   output=work / "speakers.parquet")
    elif stage == "utterances":
        from engage.utterances import join_text_session

        join_text_session(session=SESSION, speakers=work / "speakers.parquet", transcript=transcript,
                          output=work / "utterances.parquet")
    elif stage == "clip_speech":
        from engage.asd.clip_speech import clip_speech_session

        clip_speech_session(session=SESSION, clips=work / "clips.parquet", scores=work / "features" / "asd.parquet",
                            speakers=work / "speakers.parquet", output=work / "features" / "clip_speech.parquet")
    elif stage == "text":
        from engage.text.stage import text_session

        text_session(session=SESSION, clips=work / "clips.parquet", utterances=work / "utterances.parquet",
                     clip_speech=work / "features" / "clip_speech.parquet", output=work / "features" / "text.parquet",
                     model=str(work / "no-such-model"), on_missing_model="skip")
    elif stage == "interaction":
        from engage.interaction import interaction_session

        interaction_session(session=SESSION, clips=work / "clips.parquet", utterances=work / "utterances.parquet",
                            layout=work / "layout.json", out_features=work / "features" / "interaction.parquet",
                            out_csv=work / "participation.csv", out_png=work / "participation.png")
    elif stage == "acoustics":
        from engage.acoustics.stage import acoustics_session

        acoustics_session(session=SESSION, clips=work / "clips.parquet", speakers=work / "speakers.parquet",
                          clip_speech=work / "features" / "clip_speech.parquet", audio=work / "audio.wav",
                          output=work / "features" / "acoustics.parquet")
    elif stage == "session_report":
        import inspect

        from engage.report import build_session_report

        f = work / "features"
        kw = dict(session=SESSION, video=str(work / "gallery.mp4"), layout_json=str(work / "layout.json"),
                  asd_parquet=str(f / "asd.parquet"), cues_parquet=str(work / "cues.parquet"),
                  utterances_parquet=str(work / "utterances.parquet"),
                  clips_parquet=str(work / "clips.parquet"), face_parquet=str(f / "face.parquet"),
                  clip_speech_parquet=str(f / "clip_speech.parquet"),
                  feature_files={"i3d": str(f / "i3d.parquet"), "face": str(f / "face.parquet")},
                  asd_threshold=0.0, out_layout_png=str(work / "report" / "layout.png"),
                  out_speaking_png=str(work / "report" / "speaking.png"),
                  out_coverage_png=str(work / "report" / "coverage.png"),
                  out_summary_html=str(work / "report" / "summary.html"))
        if "media_json" in inspect.signature(build_session_report).parameters:
            kw["media_json"] = str(work / "media.json")
        build_session_report(**kw)
    else:
        raise SystemExit(f"unknown stage {stage}")


def measure(stage: str, work: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of ``stage`` in a fresh interpreter."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", stage, str(work)])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"stage {stage} failed ({proc.returncode})")
    return wall, usage.ru_maxrss / 1024.0


# ------------------------------------------------------------------------------------------- driver


def upstream_results(tmp: Path) -> Path:
    """Run the sample up to the asd stage in ``tmp`` and return its results/demo folder."""
    sessions = tmp / "sessions"
    shutil.copytree(SAMPLE, sessions / SESSION)
    results = tmp / "results"
    targets = [str(results / SESSION / t) for t in UPSTREAM]
    subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp),
                    "--cores", "2", "--quiet", *targets, "--configfile", str(REPO / "tests/e2e/sample_overrides.yaml"),
                    "--config", f"sessions_dir={sessions}", f"results_dir={results}"], check=True)
    return results / SESSION


def workdir(base: Path, results: Path, transcript: Path) -> Path:
    """A results/<s>-like folder with the upstream outputs and the given transcript."""
    work = base
    (work / "features").mkdir(parents=True)
    (work / "report").mkdir()
    for t in UPSTREAM:
        shutil.copy(results / t, work / t)
    os.symlink(SAMPLE / "gallery.mp4", work / "gallery.mp4")
    shutil.copy(transcript, work / "transcript.vtt")
    return work


# ---------------------------------------------------------------------------------- long session mode

LONG_STEPS = ["reference", "cues", "clips_plan", "speakers", "utterances", "clip_speech", "text_rows", "interaction"]


def build_long(root: Path, hours: float, persons: int, cues: int) -> None:
    """Synthetic upstream tables of a long session (no media): one layout span, every person's face
    tracked all the time, random ASD scores, a ``cues``-cue transcript, clips cut like the clips stage."""
    import numpy as np

    from engage import TIMELINE_FPS
    from engage.clips.windows import session_windows
    from engage.contract import (ASD, TRACKS, Clip, Layout, Media, Span, Tile, clips_table, write_layout,
                                 write_media)
    from engage.contract import CLIPS as CLIPS_SPEC
    from engage.transcript import read_transcript

    dur = hours * 3600.0
    n = int(round(dur * TIMELINE_FPS))
    ids = [f"p{k:02d}" for k in range(persons)]
    write_media(root / "media.json", Media(dur, 1280, 720, n))
    write_layout(root / "layout.json", Layout("detected", (1280, 720), (Span(0.0, dur, tuple(
        Tile(p, 320 * (k % 4), 180 * (k // 4), 320, 180) for k, p in enumerate(ids))),)))
    synthetic_transcript(root / "transcript.vtt", cues, dur)
    frames = np.tile(np.arange(n, dtype=np.int32), persons)
    person = np.repeat(np.array(ids), n)
    rng = np.random.default_rng(0)
    import pyarrow as pa

    tracks = pa.table({"session": pa.array([SESSION] * frames.size), "person": pa.array(person),
                       "frame": frames, "time": frames / TIMELINE_FPS,
                       **{k: pa.array(np.zeros(frames.size, np.int32)) for k in ("tile_x", "tile_y", "tile_w", "tile_h")},
                       **{k: pa.array(np.full(frames.size, 10.0, np.float32)) for k in ("face_x", "face_y", "face_w", "face_h")},
                       "score": pa.array(np.ones(frames.size, np.float32)),
                       "detected": pa.array(np.ones(frames.size, bool)), "has_face": pa.array(np.ones(frames.size, bool))},
                      schema=TRACKS.schema())
    TRACKS.write(root / "tracks.parquet", tracks)
    # one speaker at a time (turns of 2-6 s), so most cues are attributed to somebody (as in a class)
    turn = np.repeat(rng.integers(0, persons, n // 50 + 1), 50 * rng.integers(1, 4, n // 50 + 1))[:n]
    turn = np.pad(turn, (0, n - turn.size), mode="edge")
    score = (np.where(np.repeat(np.arange(persons), n) == np.tile(turn, persons), 3.0, -3.0)
             + rng.normal(0, 0.5, frames.size)).astype(np.float32)
    ASD.write(root / "features" / "asd.parquet", pa.table({
        "session": pa.array([SESSION] * frames.size), "person": pa.array(person), "frame": frames,
        "time": frames / TIMELINE_FPS, "score": score, "speaking": score > 0}, schema=ASD.schema()))
    cue_list = read_transcript(root / "transcript.vtt", SESSION)
    windows = session_windows([(c.start, c.end) for c in cue_list], [(0, n)])
    clips = [Clip(f"{SESSION}_{w:04d}_{p}", SESSION, p, w, a / TIMELINE_FPS, b / TIMELINE_FPS, b - a, 1.0,
                  f"clips/{SESSION}_{w:04d}_{p}.mp4", (), (0, 0, 320, 180)) for w, (a, b) in enumerate(windows)
             for p in ids]
    CLIPS_SPEC.write(root / "clips.parquet", clips_table(clips))


def run_long_child(step: str, work: Path) -> None:
    """One per-cue step of the long session, in this process (the media-free part of each stage)."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    from engage.transcript import read_transcript

    if step == "reference":
        read_transcript(work / "transcript.vtt", SESSION)
    elif step == "clips_plan":  # windows and the cue list of every window (no encoding)
        from engage.clips import stage as clips_stage
        from engage.clips.windows import session_windows
        from engage.contract import read_layout, read_media

        from engage.contract import read_cues

        cues = read_cues(work / "cues.parquet", session=SESSION)
        media = read_media(work / "media.json", session=SESSION)
        spans = read_layout(work / "layout.json", session=SESSION).timeline(media.n_frames, session=SESSION)
        windows = session_windows([(c.start, c.end) for c in cues], [(s.first_frame, s.end_frame) for s in spans])
        clips_stage._plan_clips(SESSION, spans, windows, cues, work / "tracks.parquet", media.frame_size,
                                work / "clips", 25)
    elif step in ("cues", "speakers", "utterances"):
        run_child(step, work)
    elif step == "clip_speech":
        run_child("clip_speech", work)
    elif step == "text_rows":
        from engage.text import stage as text_stage

        text_stage._text_rows(SESSION, work / "clips.parquet", work / "utterances.parquet",
                              work / "features" / "clip_speech.parquet")
    elif step == "interaction":
        run_child("interaction", work)


def measure_long(step: str, work: Path) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--long-child", step, str(work)])
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"step {step} failed")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024.0


def long_mode(hours: float, persons: int, cue_counts: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="engage-cue-scale-long-") as tmp:
        table = {}
        for n in cue_counts:
            work = Path(tmp) / str(n)
            (work / "features").mkdir(parents=True)
            # built in a child too: this process stays small, so each child's peak RSS is its own
            subprocess.run([sys.executable, __file__, "--long-build", str(work), str(hours), str(persons), str(n)],
                           check=True)
            table[n] = {step: measure_long(step, work) for step in LONG_STEPS}
    print(f"long synthetic session: {hours:g} h, {persons} persons; per-cue steps without media (cues and "
          "utterances include reading the transcript, the reference)")
    print(f"{'step':<16}" + "".join(f" {str(n) + ' cues s':>14} {'MB':>6} {'/ ref':>6}" for n in cue_counts)
          + f" {'growth':>7}")
    for step in LONG_STEPS:
        cells = "".join(f" {table[n][step][0]:14.2f} {table[n][step][1]:6.0f} "
                        f"{table[n][step][0] / max(table[n]['reference'][0], 1e-9):6.1f}" for n in cue_counts)
        growth = table[cue_counts[-1]][step][0] / max(table[cue_counts[0]][step][0], 1e-9)
        print(f"{step:<16}{cells} {growth:6.1f}x")
    print(f"(growth: time at {cue_counts[-1]} cues / at {cue_counts[0]}; linear work grows at most "
          f"{cue_counts[-1] / cue_counts[0]:.0f}x, less where fixed costs such as imports dominate)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cues", type=int, default=100_000)
    ap.add_argument("--long", type=float, metavar="HOURS",
                    help="instead: a synthetic long session of HOURS without media, 10 %% and 100 %% of --cues")
    ap.add_argument("--persons", type=int, default=6, help="persons of the --long session")
    ap.add_argument("--long-child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--long-build", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--results", type=Path, help="results/demo of a finished sample run (default: run one)")
    ap.add_argument("--only", nargs="*", choices=STAGES, help="stages to run (the reference always runs)")
    ap.add_argument("--child", nargs=2, metavar=("STAGE", "WORKDIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return run_child(args.child[0], Path(args.child[1]))
    if args.long_build:
        work, hours, persons, n = args.long_build
        return build_long(Path(work), float(hours), int(persons), int(n))
    if args.long_child:
        return run_long_child(args.long_child[0], Path(args.long_child[1]))
    if args.long:
        return long_mode(args.long, args.persons, [args.cues // 10, args.cues])
    stages = [s for s in STAGES if not args.only or s in args.only or s == "reference"]
    with tempfile.TemporaryDirectory(prefix="engage-cue-scale-") as tmp:
        tmp = Path(tmp)
        results = args.results or upstream_results(tmp / "upstream")
        duration = json.loads((results / "media.json").read_text())["duration"]
        big = tmp / "big.vtt"
        synthetic_transcript(big, args.cues, duration)
        runs = {}
        for label, transcript in (("sample", SAMPLE / "transcript.vtt"), ("big", big)):
            work = workdir(tmp / label, results, transcript)
            runs[label] = {s: measure(s, work) for s in stages}
    ref = runs["big"]["reference"][0]
    print(f"sample session ({duration:.0f} s): its own transcript vs {args.cues} synthetic cues")
    print(f"{'stage':<16} {'sample s':>9} {'sample MB':>10} {'big s':>9} {'big MB':>9} {'big / reference':>16}")
    for s in stages:
        (t0, m0), (t1, m1) = runs["sample"][s], runs["big"][s]
        print(f"{s:<16} {t0:9.2f} {m0:10.0f} {t1:9.2f} {m1:9.0f} {t1 / max(ref, 1e-9):15.1f}x")


if __name__ == "__main__":
    main()
