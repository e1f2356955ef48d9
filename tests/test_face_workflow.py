"""Face rules: backend selection, and the OpenFace container job planned under --use-singularity.

Apptainer cannot be installed on the build machines and Snakemake refuses --use-singularity without it,
so these tests put a STUB `apptainer` executable on PATH (conftest `stub_apptainer`): it only answers
`--version` and records its arguments. No container is run; the dry run shows which job would run in which
image with which command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from contract_fixtures import clip, write_clips

REPO = Path(__file__).resolve().parents[1]
OPENFACE_IMAGE = yaml.safe_load((REPO / "config.yaml").read_text())["face"]["openface"]["container"]


@pytest.fixture()
def workdir(tmp_path, data_dir, stub_apptainer):
    (tmp_path / "sessions" / "s1").mkdir(parents=True)
    (tmp_path / "sessions" / "s1" / "gallery.mp4").write_bytes((data_dir / "video" / "no_face.mp4").read_bytes())
    res = tmp_path / "results" / "s1"
    (res / "clips").mkdir(parents=True)
    (res / "clips" / "s1_0000_p00.mp4").write_bytes(b"")
    write_clips(res / "clips.parquet", [clip("s1", 0, "p00", 0.0, 1.0)])
    return tmp_path


def dry_run(workdir: Path, *extra: str, face: str | None = None) -> str:
    configs = [str(REPO / "config.yaml")]
    if face is not None:  # a second config file overrides keys of the face section
        (workdir / "face.yaml").write_text(face)
        configs.append(str(workdir / "face.yaml"))
    env = dict(os.environ, PATH=f"{workdir / 'stub-bin'}{os.pathsep}{os.environ['PATH']}")
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", *configs, "-n", "-p", "--cores", "1", *extra,
           "--config", "sessions_dir=sessions", "results_dir=results", "--", "results/s1/features/face.parquet"]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout + res.stderr


def test_with_containers_the_openface_container_job_is_planned(workdir):
    out = dry_run(workdir, "--use-singularity")
    assert "rule face_openface_run:" in out and "rule face_openface:" in out and "face_builtin" not in out
    assert f"Singularity image {OPENFACE_IMAGE} will be pulled" in out
    cmd = next(line for line in out.splitlines() if "FeatureExtraction" in line)
    assert "/home/openface-build/build/bin/FeatureExtraction -2Dfp -3Dfp -pdmparams -pose -aus -gaze" in cmd
    assert "-n 40" in cmd and "-out_dir results/s1/features/openface/csv" in cmd  # 20 clips (-f pairs) per call
    assert "-hog" not in cmd and "-tracked" not in cmd
    calls = (workdir / "stub-bin" / "apptainer_calls.txt").read_text()
    assert "--version" in calls  # the stub was asked, nothing was run
    assert "exec" not in calls


def test_without_containers_the_builtin_backend_is_planned(workdir):
    out = dry_run(workdir)
    assert "rule face_builtin:" in out and "face_openface" not in out


def test_backend_key_overrides_auto(workdir):
    out = dry_run(workdir, face="face:\n  backend: openface\n  openface:\n    batch_size: 3\n")
    assert "rule face_openface_run:" in out and "-n 6" in out
    out = dry_run(workdir, "--use-singularity", face="face:\n  backend: builtin\n")
    assert "rule face_builtin:" in out and "face_openface" not in out


def test_argument_file_lists_every_clip(tmp_path):
    from engage.face.openface_run import write_argument_file

    (tmp_path / "clips").mkdir()
    clips = write_clips(tmp_path / "clips.parquet", [clip("s", w, "p00", w, w + 1.0, path=f"clips/{c}.mp4")
                                                     for w, c in ((1, "b"), (0, "a"))])
    for c in clips:
        (tmp_path / c.path).write_bytes(b"")
    n = write_argument_file(session="s", clips_parquet=tmp_path / "clips.parquet", out=tmp_path / "args.txt")
    lines = (tmp_path / "args.txt").read_text().splitlines()
    assert n == 2 and lines == ["-f", str(tmp_path / "clips" / "a.mp4"), "-f", str(tmp_path / "clips" / "b.mp4")]
