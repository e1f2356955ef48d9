"""Real workflow with --keep-going: a broken session fails with one clear ERROR line, the good one finishes.

Targets only ``clips.parquet`` of both sessions (ingest -> layout -> tracks -> clips), so the test
does not depend on the feature stages. The good session carries a ``layout.json`` override so it
does not depend on layout detection either.
"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import SAMPLE, run_snakemake

pytestmark = pytest.mark.e2e


def demo_layout() -> dict:
    tiles = [{"id": f"p{i:02d}", "x": (i % 2) * 320, "y": (i // 2) * 240, "w": 320, "h": 240, "camera_on": True,
              "name": None} for i in range(4)]
    return {"source": "override", "frame_size": [640, 480], "spans": [{"start": 0.0, "end": 16.0, "tiles": tiles}]}


def add_session(sessions, name, *, truncate: int | None = None):
    d = sessions / name
    shutil.copytree(SAMPLE, d)
    for p in d.iterdir():
        p.chmod(0o644)
    (d / "layout.json").write_text(json.dumps(demo_layout()))
    if truncate is not None:
        video = d / "gallery.mp4"
        video.write_bytes(video.read_bytes()[:truncate])
    return d


def test_keep_going_finishes_good_session_and_names_bad_one(tmp_path):
    sessions, results = tmp_path / "sessions", tmp_path / "results"
    add_session(sessions, "good")
    add_session(sessions, "broken", truncate=20000)
    targets = [str(results / s / "clips.parquet") for s in ("good", "broken")]
    proc = run_snakemake("--cores", "2", "--keep-going", *targets, check=False, cwd=tmp_path,
                         config={"sessions_dir": sessions, "results_dir": results})
    assert proc.returncode != 0
    assert (results / "good" / "clips.parquet").exists()
    assert list((results / "good" / "clips").glob("*.mp4"))
    assert not (results / "broken" / "clips.parquet").exists()
    errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
    bad = [line for line in errors if "session 'broken'" in line]
    assert len(bad) == 1, proc.stderr[-3000:]
    assert "gallery.mp4" in bad[0] and ("video" in bad[0] or "decode" in bad[0])
    assert not any("session 'good'" in line for line in errors)
