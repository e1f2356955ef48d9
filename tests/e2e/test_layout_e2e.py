"""End-to-end: the sample workflow run writes a detected layout.json matching the demo truth."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import DATA, REPO, snakemake_cmd

from engage.layout import tile_iou

pytestmark = pytest.mark.e2e


def test_layout_json_from_sample_run(sample_run):
    out = sample_run["results"] / "demo" / "layout.json"
    assert out.exists(), sample_run["proc"].stderr[-2000:]
    doc = json.loads(out.read_text())
    truth = json.loads((DATA / "demo_truth.json").read_text())
    assert doc["source"] == "detected" and doc["frame_size"] == [640, 480]
    assert doc["spans"][0]["start"] == 0.0 and doc["spans"][-1]["end"] == pytest.approx(16.0)
    tiles = doc["spans"][0]["tiles"]
    for t in truth["tiles"]:
        assert max(tile_iou(t, d) for d in tiles) >= 0.95
    assert (sample_run["results"] / "logs" / "layout" / "demo.log").exists()
    assert (sample_run["results"] / "benchmarks" / "layout" / "demo.tsv").exists()


def test_override_file_is_an_input_of_the_rule(tmp_path):
    """A sessions/<s>/layout.json makes the layout job depend on it (dry run lists it as input)."""
    sessions = tmp_path / "sessions" / "demo"
    sessions.mkdir(parents=True)
    (sessions / "gallery.mp4").symlink_to(REPO / "examples" / "sessions" / "demo" / "gallery.mp4")
    (sessions / "layout.json").write_text(json.dumps({"spans": [{"start": 0, "end": 16, "tiles": []}]}))
    cmd = snakemake_cmd("-n", "-p", "--cores", "1", str(tmp_path / "results" / "demo" / "layout.json"),
                        config={"sessions_dir": tmp_path / "sessions", "results_dir": tmp_path / "results"}, cwd=tmp_path)
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "rule layout:" in res.stdout and str(sessions / "layout.json") in res.stdout
