"""Reruns are incremental: a second run schedules nothing; a new session folder adds only its jobs.

Targets up to ``clips.parquet`` (ingest, layout, tracks, clips) on copies of the sample session with
a ``layout.json`` override, so the test does not depend on stages other issues are still building.
"""

from __future__ import annotations

import os
import re

import pytest

from conftest import run_snakemake
from test_keep_going_e2e import add_session

pytestmark = pytest.mark.e2e


def _scheduled_sessions(dry_run_output: str) -> set[str]:
    return set(re.findall(r"wildcards: session=([A-Za-z0-9._-]+)", dry_run_output))


def test_second_run_does_nothing_and_new_session_schedules_only_its_jobs(tmp_path):
    sessions, results = tmp_path / "sessions", tmp_path / "results"
    cfg = {"sessions_dir": sessions, "results_dir": results}
    add_session(sessions, "demo")
    targets = [str(results / "demo" / "clips.parquet")]
    run_snakemake("--cores", "2", *targets, cwd=tmp_path, config=cfg)
    first = (results / "demo" / "clips.parquet").read_bytes()

    again = run_snakemake("-n", "--cores", "2", *targets, cwd=tmp_path, config=cfg)
    out = again.stdout + again.stderr
    assert "Nothing to be done" in out, out[-3000:]
    assert not _scheduled_sessions(out)

    add_session(sessions, "demo2")
    both = targets + [str(results / "demo2" / "clips.parquet")]
    dry = run_snakemake("-n", "--cores", "2", *both, cwd=tmp_path, config=cfg)
    out = dry.stdout + dry.stderr
    assert _scheduled_sessions(out) == {"demo2"}, out[-3000:]
    for rule in ("ingest", "tracks", "clips"):
        assert re.search(rf"rule {rule}:", out), rule
    assert (results / "demo" / "clips.parquet").read_bytes() == first


def _planned_rules(dry_run_output: str) -> set[str]:
    return set(re.findall(r"^rule (\w+):", dry_run_output, flags=re.M)) | set(
        re.findall(r"^localrule (\w+):", dry_run_output, flags=re.M))


#: Rules whose outputs do not depend on cue text: a text-only transcript edit must plan none of them.
TEXT_BLIND = {"ingest", "layout", "tracks", "cues", "clips", "face_builtin", "i3d", "asd", "speakers", "clip_speech",
              "acoustics"}


def test_text_only_transcript_edit_reruns_only_what_reads_text(sample_run):
    """Fixing a word in one cue plans utterances and what reads text (text, interaction, the report);
    moving one cue time plans cues, clips and everything cut from them. The sample run is restored."""
    transcript = sample_run["sessions"] / "demo" / "transcript.vtt"
    original, st = transcript.read_bytes(), transcript.stat()
    cfg = {"sessions_dir": sample_run["sessions"], "results_dir": sample_run["results"]}
    try:
        transcript.write_bytes(original.replace(b"[utterance 3]", b"[utterance three, corrected]"))
        out = run_snakemake("-n", "--cores", "2", cwd=sample_run["root"], config=cfg)
        planned = _planned_rules(out.stdout + out.stderr)
        assert "utterances" in planned and "text" in planned, out.stdout[-3000:]
        assert not planned & TEXT_BLIND, (planned & TEXT_BLIND, out.stdout[-3000:])

        transcript.write_bytes(original.replace(b"00:00:12.439", b"00:00:12.300"))
        out = run_snakemake("-n", "--cores", "2", cwd=sample_run["root"], config=cfg)
        planned = _planned_rules(out.stdout + out.stderr)
        assert {"cues", "clips", "speakers", "face_builtin", "i3d", "clip_speech", "acoustics"} <= planned
        assert not planned & {"ingest", "layout", "tracks", "asd"}  # the scores do not depend on cues
    finally:
        transcript.write_bytes(original)
        os.utime(transcript, ns=(st.st_atime_ns, st.st_mtime_ns))
    out = run_snakemake("-n", "--cores", "2", cwd=sample_run["root"], config=cfg)
    assert "Nothing to be done" in out.stdout + out.stderr
