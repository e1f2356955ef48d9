"""Operations on real runs of the sample session: reruns, added sessions, params changes, kills,
the Slurm profile and a missing container runtime (issue 9; container wiring: tests/test_containers.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PARALLEL, REPO, SAMPLE, run_snakemake, snakemake_cmd

pytestmark = pytest.mark.e2e


def _jobs(stdout: str) -> dict[str, int]:
    """Parse the 'Job stats' table of a dry run into {rule: count}."""
    out, on = {}, False
    for line in stdout.splitlines():
        parts = line.split()
        if parts[:2] == ["job", "count"]:
            on = True
            continue
        if on:
            if not parts or parts[0] == "total":
                break
            if len(parts) == 2 and parts[1].isdigit():
                out[parts[0]] = int(parts[1])
    return out


def _cfg(run):
    return {"sessions_dir": run["sessions"], "results_dir": run["results"]}


def test_completed_workflow_rerun_schedules_nothing(sample_run):
    res = run_snakemake("-n", "--cores", "2", config=_cfg(sample_run), cwd=sample_run["root"])
    assert "Nothing to be done" in res.stdout + res.stderr, res.stdout[-2000:]


def test_adding_a_session_schedules_only_its_jobs_and_aggregates(sample_run):
    week2 = sample_run["sessions"] / "week2"
    shutil.copytree(SAMPLE, week2)
    try:
        res = run_snakemake("-n", "--cores", "2", config=_cfg(sample_run), cwd=sample_run["root"])
    finally:
        shutil.rmtree(week2)
    jobs = _jobs(res.stdout)
    assert jobs, res.stdout[-3000:]
    per_session = {r: n for r, n in jobs.items() if r != "all"}
    # every per-session rule runs exactly once (for week2), nothing for demo
    assert all(n == 1 for n in per_session.values()), jobs
    outputs = [line for line in res.stdout.splitlines() if line.strip().startswith("output:")]
    per_session_outputs = [line for line in outputs if "/report/course" not in line]  # the course view aggregates
    assert per_session_outputs and all("/week2/" in line for line in per_session_outputs), outputs
    assert not any("/demo/" in line for line in outputs), outputs


def test_changing_asd_threshold_reruns_asd_and_dependents_only(sample_run, tmp_path):
    overlay = tmp_path / "threshold.yaml"
    overlay.write_text("asd:\n  threshold: 0.37\n")
    from conftest import OVERRIDES

    res = run_snakemake("-n", "--cores", "2", "--configfile", str(OVERRIDES), str(overlay), config=_cfg(sample_run),
                        cwd=sample_run["root"])
    jobs = _jobs(res.stdout)
    assert "asd" in jobs, res.stdout[-3000:]
    for upstream in ("ingest", "layout", "tracks", "clips", "face_builtin", "i3d"):
        assert upstream not in jobs, (upstream, jobs)


def test_slurm_profile_assigns_gpus_only_to_gpu_rules(sample_run, tmp_path):
    import yaml

    prof = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    assert prof["executor"] == "slurm"
    gpu_rules = {r for r, res in prof["set-resources"].items() if res.get("gpu")}
    assert gpu_rules == {"i3d", "asd", "text", "train", "predict"}
    assert "gpu" not in prof["default-resources"]
    # every GPU rule is a real rule of the workflow
    res = run_snakemake("--list-rules", cwd=sample_run["root"], config=_cfg(sample_run))
    listed = set(res.stdout.split())
    assert gpu_rules <= listed, gpu_rules - listed


#: Outputs of the sample run the killed run starts from (copies, modification times kept, no job records) are
#: all of the session's but a chain of three levels (speakers -> utterances -> text, interaction; then the
#: report). The kill lands while the first level runs. SIGKILL stops it; after SIGTERM Snakemake lets its
#: running jobs finish and starts no other, so the later levels are missing either way. The rerun finishes
#: them (the whole test: 14-16 s; 21-22 s when the face features, 14 s of CPU, were rerun too).
RERUN = ("speakers.parquet", "utterances.parquet", "features/text.parquet", "features/interaction.parquet",
         "participation.csv", "participation.png", "report")


def _not_copied(src: Path):
    """shutil.copytree ignore function: the RERUN outputs of the session folder ``src``."""
    return lambda folder, names: [n for n in names if str((Path(folder) / n).relative_to(src)) in RERUN]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_kill_and_rerun_incomplete_gives_identical_parquet(sample_run, tmp_path, sig):
    sessions = sample_run["sessions"]
    results = tmp_path / "results"
    src = sample_run["results"] / "demo"
    shutil.copytree(src, results / "demo", ignore=_not_copied(src))
    cmd = snakemake_cmd(*PARALLEL, config={"sessions_dir": sessions, "results_dir": results}, cwd=tmp_path)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 240
    # kill soon after the first level has started (a job's log exists), before the third can start
    while time.time() < deadline and proc.poll() is None and not any((results / "logs").rglob("*.log")):
        time.sleep(0.1)
    time.sleep(0.5)
    assert proc.poll() is None, proc.stdout.read().decode()[-3000:]  # still running: the kill interrupts it
    if sig == signal.SIGTERM:
        os.kill(proc.pid, sig)  # snakemake itself: it stops its jobs and releases the lock
    else:
        os.killpg(proc.pid, sig)  # everything at once, as a power loss: the lock stays behind
    proc.wait(timeout=120)
    cfg = {"sessions_dir": sessions, "results_dir": results}
    ref = sorted(p.relative_to(sample_run["results"]) for p in sample_run["results"].rglob("*.parquet"))
    assert [rel for rel in ref if not (results / rel).exists()], "the kill came after the run had finished"
    if sig == signal.SIGKILL:
        run_snakemake("--unlock", config=cfg, cwd=tmp_path)
    run_snakemake(*PARALLEL, "--rerun-incomplete", config=cfg, cwd=tmp_path)
    got = sorted(p.relative_to(results) for p in results.rglob("*.parquet"))
    assert ref == got and ref
    for rel in ref:
        assert (sample_run["results"] / rel).read_bytes() == (results / rel).read_bytes(), f"{rel} differs after kill+rerun"


def test_use_singularity_without_runtime_fails_clearly(sample_run, tmp_path):
    """Without apptainer/singularity on PATH, --use-singularity stops at once with Snakemake's message."""
    if shutil.which("apptainer") or shutil.which("singularity"):
        pytest.skip("a container runtime is installed here")
    res = run_snakemake("-n", "--cores", "1", "--use-singularity", check=False,
                        config={"sessions_dir": sample_run["sessions"], "results_dir": tmp_path / "results"}, cwd=tmp_path)
    assert res.returncode != 0
    assert "apptainer or singularity" in (res.stdout + res.stderr).lower()
