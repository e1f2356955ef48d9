"""Two rater files -> merged labels -> dataset -> train -> eval, and the agreement in the Snakemake report.

Runs on a copy of the shared sample run (its real features); the rater files are TEST-ONLY labels over
the sample's clip ids (written here, never into examples/). Training is tiny (3 epochs, small network),
as in tests/e2e/test_model_e2e.py; ``--allowed-rules`` keeps upstream feature files as they are.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import zipfile

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import OVERRIDES, PARALLEL, run_snakemake
from engage.io.parquet import read_meta
from engage.model.labels import LEVELS

pytestmark = pytest.mark.e2e

RULES = ["labels_merge", "labels_agreement", "dataset", "train", "eval", "tables", "all"]


def test_two_raters_to_trained_model_with_agreement_in_report(sample_run, tmp_path):
    assert sample_run["proc"].returncode == 0
    root = tmp_path / "copy"
    shutil.copytree(sample_run["root"], root, symlinks=True)
    sessions, results = root / "sessions", root / "results"
    clips = pq.read_table(results / "demo" / "clips.parquet").column("clip_id").to_pylist()
    anna = {c: LEVELS[i % 4] for i, c in enumerate(clips)}
    ben = dict(anna)
    ben[clips[1]] = "EG"  # DE vs EG: a tie between two raters -> lower (DE)
    ben[clips[2]] = "skip"  # one rating only
    labels = sessions / "demo" / "labels"
    labels.mkdir()
    for name, labs in (("anna", anna), ("ben", ben)):
        (labels / f"{name}.csv").write_text("clip_id,label\n" + "".join(f"{c},{v}\n" for c, v in labs.items()))
    cfg = root / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "sessions_dir": str(sessions), "results_dir": str(results),
        "dataset": {"name": "tiny", "n_chunks": 4, "min_frames": 50, "test_fraction": 0.25},
        "train": {"epochs": 3, "batch_size": 8, "pool_size": 16, "threads": 1, "device": "cpu", "only_runs": ["tiny_moco"],
                  "model": {"hidden": 8, "mlp_hidden": 16, "tcn_levels": 2, "text_proj_dim": 8}},
        "runs": {"tiny_moco": {"loss": "mocorank", "groups": ["tiny"]}},
    }))
    opts = ["--configfile", str(OVERRIDES), str(cfg)]
    # `all` now holds the agreement and the model outputs (the sample's features are already there)
    run_snakemake("all", *PARALLEL, "--allowed-rules", *RULES, *opts, cwd=root, timeout=600, overrides=False)

    merged = {r["clip_id"]: r for r in pq.read_table(results / "demo" / "labels" / "merged.parquet").to_pylist()}
    assert merged[clips[1]]["label"] == "DE" and merged[clips[1]]["agreed"] is False
    assert merged[clips[2]]["n_raters"] == 1 and merged[clips[2]]["agreed"] is None
    assert merged[clips[0]]["agreed"] is True and merged[clips[0]]["n_raters"] == 2
    ds = pq.read_table(results / "dataset" / "tiny.parquet")
    assert dict(zip(ds.column("clip_id").to_pylist(), ds.column("label").to_pylist())) == {c: r["label"] for c, r in merged.items()}
    assert read_meta(results / "dataset" / "tiny.parquet")["sessions"] == ["demo"]
    metrics = json.loads((results / "models" / "tiny_moco" / "metrics.json").read_text())
    assert metrics["n"] >= 1 and "average_accuracy" in metrics

    doc = json.loads((results / "labels" / "agreement.json").read_text())
    assert doc["n_raters"] == 2 and doc["n_clips"] == len(clips) and doc["icc2_1_n_clips"] == len(clips) - 1
    assert doc["pairs"][0]["n"] == len(clips) - 1 and doc["exact_agreement"] == pytest.approx((len(clips) - 2) / (len(clips) - 1))
    assert doc["icc2_1"] is not None and doc["icc2_1_ci95"][0] <= doc["icc2_1"] <= doc["icc2_1_ci95"][1]

    report = root / "report.zip"
    run_snakemake("--report", str(report), *opts, cwd=root, timeout=600, overrides=False)
    with zipfile.ZipFile(report) as z:
        names = z.namelist()
        agreement_html = [n for n in names if n.endswith("/agreement.html")]
        assert agreement_html and any(n.endswith("/confusion.png") for n in names), names
        page = z.read(agreement_html[0]).decode()
        assert f"<b>{doc['icc2_1']:.2f}</b>" in page and "Inter-rater agreement" in page
        index = next(z.read(n).decode(errors="replace") for n in names if n.endswith("report.html"))
        assert "Labels" in index
