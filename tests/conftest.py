"""Shared test fixtures: paths to real small data and one real workflow run on the sample session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SAMPLE = REPO / "examples" / "sessions" / "demo"
#: Test-only config overrides for end-to-end runs (smaller I3D work on CPU); see the file.
OVERRIDES = REPO / "tests" / "e2e" / "sample_overrides.yaml"

#: Scheduling of the real runs: 4 thread slots, each job with at most the 2 threads `--cores 2` gives it (two
#: 2-thread jobs, or up to four 1-thread jobs, at a time). The sample's jobs keep a core only about 70 % busy
#: (process start, ffmpeg, file reads), so on the 2-core CI machine this finishes the sample run in about 67 s
#: instead of 86 s. Each job's thread count,
#: and with it every output byte (torch results depend on it), is the same as with `--cores 2`.
PARALLEL = ("--cores", "4", "--max-threads", "2")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def snakemake_cmd(*args: str, config: dict | None = None, cwd: Path = REPO, overrides: bool = True) -> list[str]:
    """The snakemake command line used by tests (same interpreter, repo Snakefile, test overrides).

    Options that take several values (--configfile, --config) come last, after the targets.
    """
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(cwd)]
    cmd += list(args)
    if overrides and "--configfile" not in args:  # a caller's own --configfile list wins
        cmd += ["--configfile", str(OVERRIDES)]
    if config:
        cmd += ["--config"] + [f"{k}={v}" for k, v in config.items()]
    return cmd


def run_snakemake(*args: str, config: dict | None = None, check: bool = True, timeout: int = 900, cwd: Path = REPO,
                  overrides: bool = True):
    res = subprocess.run(snakemake_cmd(*args, config=config, cwd=cwd, overrides=overrides), capture_output=True, text=True,
                         timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({res.returncode}):\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}")
    return res


#: A STUB `apptainer` (no container runtime can be installed on the build machines, and Snakemake refuses
#: --use-singularity without one, even for a dry run). It answers --version, records every call in
#: `apptainer_calls.txt` beside itself and runs nothing: tests with it check which job would run in which
#: image, never a container.
STUB_APPTAINER = """#!/bin/sh
# STUB apptainer for tests: records its arguments, pretends to be apptainer 1.3.4, runs nothing.
echo "$@" >> "$(dirname "$0")/apptainer_calls.txt"
if [ "$1" = "--version" ]; then echo "apptainer version 1.3.4"; fi
exit 0
"""


@pytest.fixture()
def stub_apptainer(tmp_path) -> dict:
    """PATH with the STUB apptainer first: dict(env=environment for subprocess, calls=Path of its call log)."""
    bindir = tmp_path / "stub-bin"
    bindir.mkdir()
    (bindir / "apptainer").write_text(STUB_APPTAINER)
    (bindir / "apptainer").chmod(0o755)
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    return {"env": env, "calls": bindir / "apptainer_calls.txt"}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def demo_video() -> Path:
    return SAMPLE / "gallery.mp4"


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> dict:
    """Run the real workflow once on a copy of the sample session; e2e tests read its outputs.

    Returns dict(sessions=Path, results=Path, proc=CompletedProcess).
    """
    root = tmp_path_factory.mktemp("sample_run")
    sessions = root / "sessions"
    shutil.copytree(SAMPLE, sessions / "demo")
    results = root / "results"
    proc = run_snakemake(*PARALLEL, config={"sessions_dir": sessions, "results_dir": results}, cwd=root)
    return {"sessions": sessions, "results": results, "proc": proc, "root": root}
