"""Reruns are incremental: a second run schedules nothing; a new session folder adds only its jobs.

Targets up to ``clips.parquet`` (ingest, layout, tracks, clips) on copies of the sample session with
a ``layout.json`` override, so the test does not depend on stages other issues are still building.
"""

from __future__ import annotations

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
