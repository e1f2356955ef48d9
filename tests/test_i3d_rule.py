"""Tiny CPU run of the real i3d rule (Snakemake, script, params) on a small hand-made session.

Uses a minimal Snakefile that includes the repo's common.smk and i3d.smk, so the test does not
depend on the upstream clips stage; the sample-session run is covered in tests/e2e/test_i3d_e2e.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from engage.io.parquet import read_meta
from i3d_helpers import make_session

REPO = Path(__file__).resolve().parents[1]


def _workflow(tmp_path: Path, **i3d) -> tuple[Path, Path]:
    snakefile = tmp_path / "Snakefile"
    snakefile.write_text(
        f'configfile: "{tmp_path / "config.yaml"}"\n'
        f'include: "{REPO / "workflow/rules/common.smk"}"\n'
        f'include: "{REPO / "workflow/rules/i3d.smk"}"\n'
    )
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config.update(sessions_dir=str(tmp_path / "sessions"), results_dir=str(tmp_path / "results"))
    config["i3d"].update(window=9, stride=9, batch_size=2, device="cpu", **i3d)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "sessions").mkdir()
    return snakefile, tmp_path / "results"


def _snakemake(snakefile: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(snakefile), "-d", str(cwd), "--cores", "1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def test_rule_runs_on_small_session(tmp_path):
    snakefile, results = _workflow(tmp_path)
    make_session(results, "s1")
    target = results / "s1" / "features" / "i3d.parquet"
    proc = _snakemake(snakefile, tmp_path, str(target))
    assert proc.returncode == 0, proc.stderr[-4000:]
    t = pq.read_table(target)
    assert t.num_rows == 2 and t.column("weights_sha256").to_pylist() == ["random-init"] * 2
    assert read_meta(target)["params"]["window"] == 9
    log = (results / "logs" / "i3d" / "s1.log").read_text()
    assert "WARNING" in log and "RANDOM-INITIALISED" in log
    assert (results / "benchmarks" / "i3d" / "s1.tsv").is_file()


def test_missing_checkpoint_never_triggers_download(tmp_path):
    snakefile, results = _workflow(tmp_path, weights="models/i3d/rgb_imagenet.pt")
    make_session(results, "s1")
    target = results / "s1" / "features" / "i3d.parquet"
    dry = _snakemake(snakefile, tmp_path, "-n", str(target))
    assert dry.returncode == 0, dry.stderr[-4000:]
    assert "download_i3d_weights" not in dry.stdout and "i3d" in dry.stdout
    proc = _snakemake(snakefile, tmp_path, str(target))
    assert proc.returncode != 0
    assert "models/i3d/rgb_imagenet.pt" in proc.stderr and "Traceback" not in proc.stderr
