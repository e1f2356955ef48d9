"""GPU-aware install: which torch build ./pipeline.sh picks and why, and that the choice is in the stamp.

`./pipeline.sh plan` runs the same choice and pin assembly as `install` but installs nothing (no CUDA
wheel is downloaded here). The GPU is a STUB `nvidia-smi` on PATH that prints what the real one prints
for `--query-gpu=name,driver_version --format=csv,noheader`; no GPU is used.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

H200 = "NVIDIA H200, 580.95.05"
#: what plan needs besides bash builtins: a PATH made of these alone has no nvidia-smi on any machine
TOOLS = ("bash", "sh", "sed", "grep", "sort", "head", "tr", "mktemp", "mkdir", "awk", "cat", "sha256sum", "cut",
         "rm", "dirname", "env")


def _stub_nvidia_smi(bindir: Path, lines: list[str], code: int = 0) -> None:
    """STUB nvidia-smi: prints `lines` for the query ./pipeline.sh makes, exits with `code`."""
    body = "\n".join(f"echo '{line}'" for line in lines)
    (bindir / "nvidia-smi").write_text(f"#!/bin/sh\n# STUB nvidia-smi for tests, no GPU behind it\n{body}\nexit {code}\n")
    (bindir / "nvidia-smi").chmod(0o755)


def _plan(tmp_path: Path, gpus: list[str] | None, code: int = 0, torch: str | None = None, venv: Path | None = None):
    """Run `./pipeline.sh plan`; gpus=None means no nvidia-smi at all. Returns (fields, stdout, stderr, rc)."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for tool in TOOLS:
        if not (bindir / tool).exists():
            (bindir / tool).symlink_to(shutil.which(tool))
    (bindir / "nvidia-smi").unlink(missing_ok=True)
    if gpus is not None:
        _stub_nvidia_smi(bindir, gpus, code)
    env = {"PATH": str(bindir), "HOME": str(tmp_path), "ENGAGE_VENV": str(venv or tmp_path / "venv")}
    if torch:
        env["ENGAGE_TORCH"] = torch
    res = subprocess.run(["bash", str(REPO / "pipeline.sh"), "plan"], capture_output=True, text=True, env=env,
                         timeout=60)
    fields = dict(line.split(": ", 1) for line in res.stdout.splitlines() if ": " in line)
    return fields, res.stdout, res.stderr, res.returncode


def test_a_listed_gpu_with_a_new_driver_chooses_cuda(tmp_path):
    f, out, err, rc = _plan(tmp_path, [H200])
    assert rc == 0, err
    assert f["torch"] == "cuda" and f["why"] == "nvidia-smi lists 1 GPU(s): NVIDIA H200, driver 580.95.05"
    assert "torch===2.13.0 " in f["step 2"] and "nvidia-cudnn-cu13==9.20.0.48" in f["step 2"]
    assert "extra-index-url" not in f["step 2"]
    # exactly one line on stderr says which build and why
    assert err.strip().splitlines() == ["[pipeline] torch: cuda build (nvidia-smi lists 1 GPU(s): NVIDIA H200, "
                                        "driver 580.95.05)"]


@pytest.mark.parametrize("gpus,code,why", [
    (None, 0, "no nvidia-smi on PATH"),
    (["No devices were found"], 6, "nvidia-smi lists no GPU"),
    ([], 9, "nvidia-smi lists no GPU"),  # driver not loaded: the real one prints its error on stderr
    (["Tesla V100-SXM2-16GB, 535.104.05"], 0,
     "nvidia-smi lists 1 GPU(s) (Tesla V100-SXM2-16GB), but driver 535.104.05 is older than 580.65.06"),
], ids=["no-nvidia-smi", "no-devices", "no-driver", "old-driver"])
def test_no_usable_gpu_chooses_cpu(tmp_path, gpus, code, why):
    f, out, err, rc = _plan(tmp_path, gpus, code)
    assert rc == 0, err
    assert f["torch"] == "cpu" and f["why"].startswith(why), f
    assert f["step 2"].split() == ["pip", "install", "--no-deps", "--extra-index-url",
                                   "https://download.pytorch.org/whl/cpu", "torch==2.13.0+cpu"]


def test_engage_torch_forces_the_build(tmp_path):
    f, *_ = _plan(tmp_path, [H200], torch="cpu")
    assert f["torch"] == "cpu" and f["why"] == "forced by ENGAGE_TORCH=cpu"
    f, *_ = _plan(tmp_path, None, torch="cuda")
    assert f["torch"] == "cuda" and f["why"] == "forced by ENGAGE_TORCH=cuda"
    f, out, err, rc = _plan(tmp_path, None, torch="rocm")
    assert rc == 2 and "ENGAGE_TORCH must be auto, cpu or cuda" in err


def test_the_stamp_includes_the_choice_so_switching_reinstalls(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    cpu, *_ = _plan(tmp_path, None, venv=venv)
    cuda, *_ = _plan(tmp_path, ["NVIDIA A100-SXM4-80GB, 590.10", "NVIDIA A100-SXM4-80GB, 590.10"], venv=venv)
    assert cuda["why"].startswith("nvidia-smi lists 2 GPU(s): NVIDIA A100-SXM4-80GB")
    assert cpu["stamp"] != cuda["stamp"]
    (venv / ".engage-installed").write_text(f"{cpu['stamp']} cpu\n")  # as install() writes it
    assert _plan(tmp_path, None, venv=venv)[0]["environment"].endswith("is up to date")
    again, *_ = _plan(tmp_path, ["NVIDIA A100-SXM4-80GB, 590.10"], venv=venv)
    assert again["environment"].endswith("would be (re)installed")


def _pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(===|==)(\S+)", line)
        if m:
            out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(3)
    return out


def test_the_cuda_overlay_changes_only_torch(tmp_path):
    """Same versions of everything else: the overlay adds torch's CUDA packages and replaces only torch,
    with the same torch release as the CPU build."""
    base, cuda = _pins(REPO / "requirements.lock"), _pins(REPO / "requirements-cuda.lock")
    assert set(cuda) & set(base) == {"torch"}
    assert base["torch"] == cuda["torch"] + "+cpu"
    assert "===" in next(x for x in (REPO / "requirements-cuda.lock").read_text().splitlines() if x.startswith("torch"))
    assert {"triton", "nvidia-cudnn-cu13", "nvidia-cublas", "nvidia-nccl-cu13"} <= set(cuda)
    # both builds install the rest of requirements.lock unchanged: every pin but torch
    for gpus in (None, [H200]):
        f, *_ = _plan(tmp_path, gpus)
        assert f["step 1"].endswith(f"({len(base) - 1} packages)"), f


STUB_PYTHON = """#!/bin/sh
# STUB venv python for tests: records the pip commands install() runs, installs nothing; like a machine
# without a local wheel folder, every --no-index install fails.
echo "$@" >> "$(dirname "$0")/pip_calls.txt"
case "$*" in *--no-index*) exit 1 ;; esac
"""


@pytest.mark.parametrize("previous,build", [("cuda", "cpu"), ("cpu", "cpu"), ("cpu", "cuda")])
def test_install_runs_the_planned_pip_steps_and_drops_cuda_packages_when_switching_to_cpu(tmp_path, previous,
                                                                                           build):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(STUB_PYTHON)
    (venv / "bin" / "python").chmod(0o755)
    (venv / ".engage-installed").write_text(f"0000000000000000 {previous}\n")
    env = {**os.environ, "ENGAGE_VENV": str(venv), "ENGAGE_TORCH": build}
    res = subprocess.run(["bash", str(REPO / "pipeline.sh"), "install"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    calls = (venv / "bin" / "pip_calls.txt").read_text().splitlines()
    assert calls[0] == f"-m pip install --no-deps -r {venv}/.engage-pins/rest.txt"
    torch_args = "--extra-index-url https://download.pytorch.org/whl/cpu " if build == "cpu" else ""
    assert calls[1] == f"-m pip install --no-deps --no-index -r {venv}/.engage-pins/torch.txt"  # local wheels first
    assert calls[2] == f"-m pip install --no-deps {torch_args}-r {venv}/.engage-pins/torch.txt"
    uninstall = [c for c in calls if c.startswith("-m pip uninstall")]
    if (previous, build) == ("cuda", "cpu"):
        assert len(uninstall) == 1 and "nvidia-cudnn-cu13" in uninstall[0] and " torch" not in uninstall[0]
    else:
        assert not uninstall
    assert calls[-1] == "-m pip install --no-deps --no-build-isolation -e ."
    stamp = (venv / ".engage-installed").read_text().split()
    assert stamp[1] == build and stamp[0] == _plan(tmp_path, None, torch=build, venv=venv)[0]["stamp"]
