"""What the Snakemake workflow catalog checks, checked in CI: `snakefmt --check` and `snakemake --lint`.

Both fail on any finding: snakefmt --check exits 1 when a file would be reformatted, snakemake --lint exits 1
when it printed any lint (Snakemake 9 cli: `if any_lint: return False`). Lint sees only the rules that are
defined, so it runs once per face backend (the two backends define different rules).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE

BIN = Path(sys.executable).parent


def test_snakefmt_check_is_clean():
    files = [REPO / "Snakefile", REPO / "workflow"]
    res = subprocess.run([str(BIN / "snakefmt"), "--check", "--diff", *map(str, files)], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, f"snakefmt would reformat (run: snakefmt Snakefile workflow/):\n{res.stdout[-6000:]}\n{res.stderr[-3000:]}"
    assert "would be left unchanged" in res.stderr, res.stderr


@pytest.mark.parametrize("backend", ["builtin", "openface"])
def test_snakemake_lint_is_clean(tmp_path, backend):
    overlay = tmp_path / "lint.yaml"
    overlay.write_text(f"sessions_dir: {SAMPLE.parent}\nresults_dir: {tmp_path / 'results'}\n"
                       f"face:\n  backend: {backend}\ncontainer_image: docker://registry.example.org/engage:0.1.0\n")
    res = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory",
                          str(tmp_path), "--lint", "--configfile", str(overlay)], capture_output=True, text=True,
                         timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode == 0, f"snakemake --lint found problems (face.backend={backend}):\n{out[-8000:]}"
    assert "Congratulations, your workflow is in a good condition!" in out, out[-3000:]
    rule = "face_openface_run" if backend == "openface" else "face_builtin"
    listed = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory",
                             str(tmp_path), "--list-rules", "--configfile", str(overlay)], capture_output=True,
                            text=True, timeout=300)
    assert rule in listed.stdout.split(), listed.stdout  # the backend's rules were really defined and linted
