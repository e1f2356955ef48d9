"""The sample session through a real Slurm cluster with `profiles/slurm` (issue 15).

By default the test starts a throwaway single-node cluster (tests/slurm_cluster.py: Debian's Slurm 22.05,
installed with apt when missing, stopped by its pid files afterwards) and runs ingest -> layout -> tracks ->
asd (and cues) through snakemake-executor-plugin-slurm. Every job must go through sbatch (one plugin log per job,
one completed Slurm job each, asd on the `gpu` partition with a GPU), and every output must be
byte-identical to the local run of the same configuration (conftest `sample_run`).

The cluster has no accounting, so job status comes from `squeue` (`--slurm-status-command squeue`);
`--slurm-init-seconds-before-status-checks 2` cuts the plugin's first 40 s wait. The plugin then waits
10 s longer after each check that sees no job finish, so checks fall about 2, 14, 36 s after a submission:
the sample's 8-12 s jobs are seen at 14 s and asd (about 30 s) at 36 s. With 8 they were seen at 26 s
(checks at 8, 26, 54 s), and the Slurm part took 152 s instead of 98 s (measured on 2 cores, with speakers
as a fifth level).

On your own cluster (profiles/slurm/README.md): `ENGAGE_SLURM_TEST=existing` uses the cluster this shell
submits to, with profiles/slurm as you edited it; `ENGAGE_SLURM_TEST_DIR` must then be a folder that the
compute nodes see (the default temporary folder is node-local); `ENGAGE_SLURM_STATUS_COMMAND` sets the
status command (default there: the plugin's, sacct).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import yaml

import slurm_cluster
from conftest import REPO, SAMPLE, run_snakemake

pytestmark = pytest.mark.e2e

PROFILE = REPO / "profiles" / "slurm"
#: asd needs ingest, layout, tracks; cues runs beside layout. Four levels of jobs, each seen finished 14 s
#: (asd: 36 s) after its submission: a fifth level (speakers after asd) made the test 14 s longer (98 s -> 84 s).
TARGETS = ["features/asd.parquet", "cues.parquet"]
RULES = {"ingest", "layout", "tracks", "asd", "cues"}
EXISTING = os.environ.get("ENGAGE_SLURM_TEST") == "existing"


@pytest.fixture(scope="module")
def cluster():
    """The throwaway cluster, or None with ENGAGE_SLURM_TEST=existing."""
    if EXISTING:
        assert shutil.which("sbatch"), "ENGAGE_SLURM_TEST=existing, but there is no sbatch on PATH"
        yield None
        return
    reason = slurm_cluster.cannot_start_reason()
    if reason:
        pytest.skip(reason)
    slurm_cluster.install()
    c = slurm_cluster.SlurmCluster()
    try:
        yield c.start()
    finally:
        c.stop()


def _expected_partition(rule: str) -> str:
    prof = yaml.safe_load((PROFILE / "config.yaml").read_text())
    return prof.get("set-resources", {}).get(rule, {}).get("slurm_partition") or prof["default-resources"][
        "slurm_partition"]


def _metadata(workdir: Path, path: Path) -> dict:
    """Snakemake's record of the job that wrote `path` (rule, params, code), kept in .snakemake/metadata."""
    name = base64.b64encode(str(path).encode()).decode()
    return json.loads((workdir / ".snakemake" / "metadata" / name).read_text())


def _workdir(tmp_path: Path) -> Path:
    shared = os.environ.get("ENGAGE_SLURM_TEST_DIR")
    return Path(tempfile.mkdtemp(prefix="engage-slurm-e2e-", dir=shared)) if shared else tmp_path


def test_sample_session_through_slurm_matches_the_local_run(sample_run, cluster, tmp_path):
    work = _workdir(tmp_path)
    sessions, results = work / "sessions", work / "results"
    shutil.copytree(SAMPLE, sessions / "demo")
    args = ["--profile", str(PROFILE), "--slurm-init-seconds-before-status-checks", "2",
            "--slurm-keep-successful-logs"]
    status = os.environ.get("ENGAGE_SLURM_STATUS_COMMAND", "" if EXISTING else "squeue")
    if status:
        args += ["--slurm-status-command", status]
    t0 = time.monotonic()
    res = run_snakemake(*args, *[str(results / "demo" / t) for t in TARGETS], timeout=900, cwd=work,
                        config={"sessions_dir": sessions, "results_dir": results})
    print(f"slurm run: {time.monotonic() - t0:.0f} s")
    out = res.stdout + res.stderr

    # every job went through sbatch: one submission per rule, its plugin log holds the job's own run
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+) \(log: (\S+)\)", out)
    by_rule = {re.search(r"/rule_([A-Za-z0-9_]+)/", log).group(1): (jobid, Path(log)) for jobid, log in submitted}
    assert set(by_rule) == RULES and len(submitted) == len(RULES), (submitted, out[-4000:])
    assert f"{len(RULES)} of {len(RULES)} steps (100%) done" in out, out[-3000:]
    for rule, (jobid, log) in by_rule.items():
        text = log.read_text()
        assert f"rule {rule}:" in text and "Finished jobid" in text, (rule, text[-2000:])

    # what Slurm itself recorded: completed, exit 0, on the profile's partition, the profile's threads as
    # CPUs per task, a GPU for the GPU rule only (a real cluster may have forgotten finished jobs already)
    threads = yaml.safe_load((PROFILE / "config.yaml").read_text())["set-threads"]
    for rule, (jobid, _) in by_rule.items():
        job = slurm_cluster.job_record(jobid)
        if job is None and cluster is None:
            continue
        assert job is not None, f"Slurm does not know job {jobid} ({rule})"
        assert job["JobState"] == "COMPLETED" and job["ExitCode"] == "0:0", (rule, job)
        assert job["Partition"] == _expected_partition(rule), (rule, job["Partition"])
        assert ("gpu" in job.get("TresPerJob", "")) == (rule == "asd"), (rule, job.get("TresPerJob"))
        if rule in threads:
            assert job["CPUs/Task"] == str(threads[rule]), (rule, job["CPUs/Task"])
    assert _expected_partition("asd") == "gpu"

    # byte-identical to the local run, with the same rule, code and params for every output
    ref = sample_run["results"] / "demo"
    produced = sorted(p.relative_to(results / "demo") for p in (results / "demo").rglob("*") if p.is_file())
    assert {str(p) for p in produced} >= {"tracks.parquet", "media.json", "audio.wav", *TARGETS}, produced
    for rel in produced:
        assert (ref / rel).read_bytes() == (results / "demo" / rel).read_bytes(), f"{rel} differs from the local run"
        mine, local = _metadata(work, results / "demo" / rel), _metadata(sample_run["root"], ref / rel)
        for key in ("rule", "params", "code"):
            assert mine[key] == local[key], (rel, key, mine[key], local[key])
