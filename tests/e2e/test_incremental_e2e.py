"""Reruns are incremental: a transcript edit plans only the jobs that read what changed.

(A second run that schedules nothing and a new session that adds only its jobs:
tests/e2e/test_ops_e2e.py, on the same shared sample run.)
"""

from __future__ import annotations

import os
import re

import pytest

from conftest import run_snakemake

pytestmark = pytest.mark.e2e


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
