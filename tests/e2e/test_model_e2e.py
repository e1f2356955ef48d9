"""dataset -> train -> eval -> tables -> predict through the real workflow, with a tiny training config.

The sample session has no engagement annotations. These tests write TEST-ONLY labels into their own
copy of the sessions (cycled over the clips ordered by face_fraction: plumbing, not ground truth) and
never into examples/. ``--allowed-rules`` keeps Snakemake to the model rules so upstream feature
files are used as they are.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pyarrow.parquet as pq
import pytest
import torch
import yaml

from conftest import OVERRIDES, PARALLEL, run_snakemake
from engage.model.labels import LEVELS, score_to_index
from engage.model.testdata import write_session

pytestmark = pytest.mark.e2e

MODEL_RULES = ["labels_merge", "dataset", "train", "eval", "tables", "predict", "course_engagement"]
RUNS = {"tiny_moco": {"loss": "mocorank", "groups": ["tiny"]},
        "tiny_ce": {"loss": "ce", "variant": "concat", "audio": True, "train": {"audio_epochs": 2}, "groups": ["tiny"]}}


def tiny_config(path, sessions, results):
    cfg = {
        "sessions_dir": str(sessions),
        "results_dir": str(results),
        "dataset": {"name": "tiny", "n_chunks": 4, "min_frames": 50, "test_fraction": 0.25},
        "train": {"epochs": 3, "batch_size": 8, "pool_size": 16, "threads": 1, "device": "cpu",
                  "only_runs": list(RUNS), "model": {"hidden": 8, "mlp_hidden": 16, "tcn_levels": 2, "text_proj_dim": 8}},
        "runs": RUNS,
        "predict": {"run": "tiny_moco", "device": "cpu"},
    }
    path.write_text(yaml.safe_dump(cfg))
    return path


def targets(results, sessions):
    out = [f"{results}/dataset/tiny.parquet", f"{results}/tables/model_comparison.md"]
    out += [f"{results}/models/{r}/metrics.json" for r in RUNS]
    out += [f"{results}/predictions/{s}.parquet" for s in sessions] + [f"{results}/predictions/{s}_timeline.png" for s in sessions]
    return out + [f"{results}/report/course_engagement.png"]


def check_outputs(results, sessions):
    for r in RUNS:
        d = results / "models" / r
        m = json.loads((d / "metrics.json").read_text())
        assert {"accuracy", "average_accuracy", "recall", "confusion"} <= set(m)
        assert (d / "confusion.csv").read_text().startswith("true\\predicted,HD,DE,EG,HE")
        assert (d / "train_log.csv").read_text().count("\n") >= 4
        payload = torch.load(d / "model.pt", weights_only=True)
        assert payload["model_config"]["audio"] == bool(RUNS[r].get("audio"))
    md = (results / "tables" / "model_comparison.md").read_text()
    assert "## tiny" in md and "tiny_ce" in md
    assert (results / "tables" / "recall_per_class.png").stat().st_size > 1000
    for s in sessions:
        t = pq.read_table(results / "predictions" / f"{s}.parquet")
        clips = pq.read_table(results / s / "clips.parquet")
        assert sorted(t.column("clip_id").to_pylist()) == sorted(clips.column("clip_id").to_pylist())
        scores = t.column("score").to_numpy()
        assert np.all(np.abs(scores) <= 1)
        assert [LEVELS[i] for i in score_to_index(scores)] == t.column("level").to_pylist()
        assert (results / "predictions" / f"{s}_timeline.png").stat().st_size > 1000
        assert t.column("identity").to_pylist() == [dict(zip(clips.column("clip_id").to_pylist(),
                                                             clips.column("identity").to_pylist()))[c]
                                                    for c in t.column("clip_id").to_pylist()]
    assert (results / "report" / "course_engagement.png").stat().st_size > 1000


def test_model_rules_on_contract_feature_files(tmp_path):
    """Two synthetic sessions in the data-contract format; only the second one has labels."""
    sessions, results = tmp_path / "sessions", tmp_path / "results"
    for i, s in enumerate(["lab", "unlab"]):
        (sessions / s).mkdir(parents=True)
        (sessions / s / "gallery.mp4").write_bytes(b"")  # placeholder so the session is discovered
        ids = {"p00": "ana", "p01": "ben"} if s == "lab" else {"p02": "ana"}  # ana attends both sessions
        write_session(results, s, n_persons=4, n_windows=3, seed=i, with_labels_in=sessions / s if s == "lab" else None,
                      identities=ids)
    cfg = tiny_config(tmp_path / "tiny.yaml", sessions, results)
    run_snakemake(*targets(results, ["lab", "unlab"]), *PARALLEL, "--allowed-rules", *MODEL_RULES, "--configfile", str(cfg),
                  cwd=tmp_path, timeout=600, overrides=False)
    check_outputs(results, ["lab", "unlab"])
    ds = pq.read_table(results / "dataset" / "tiny.parquet")
    assert set(ds.column("session").to_pylist()) == {"lab"}  # unlabelled sessions only get predictions
    assert set(ds.column("identity").to_pylist()) == {"ana", "ben", "lab/p02", "lab/p03"}
    pred = pq.read_table(results / "predictions" / "unlab.parquet").to_pandas()
    assert set(pred["identity"]) == {"ana", "unlab/p00", "unlab/p01", "unlab/p03"}


def test_model_rules_on_sample_run(sample_run, tmp_path):
    """The sample session's real features (shared sample_run), with test-only labels in a copy."""
    assert sample_run["proc"].returncode == 0
    root = tmp_path / "copy"
    shutil.copytree(sample_run["root"], root, symlinks=True)
    sessions, results = root / "sessions", root / "results"
    names = sorted(p.name for p in sessions.iterdir() if p.is_dir())
    for s in names:
        clips = pq.read_table(results / s / "clips.parquet").to_pandas().sort_values(["face_fraction", "clip_id"])
        rows = [f"{cid},{LEVELS[i % 4]}" for i, cid in enumerate(clips["clip_id"])]  # TEST-ONLY labels
        (sessions / s / "labels.csv").write_text("clip_id,label\n" + "\n".join(rows) + "\n")
    cfg = tiny_config(root / "tiny.yaml", sessions, results)
    run_snakemake(*targets(results, names), *PARALLEL, "--allowed-rules", *MODEL_RULES,
                  "--configfile", str(OVERRIDES), str(cfg), cwd=root, timeout=600, overrides=False)
    check_outputs(results, names)
