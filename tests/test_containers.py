"""`--use-singularity` out of the box: which image each rule gets (issue 15).

No container runtime can be installed on the build machines, so every test here runs with the STUB
`apptainer` of conftest (`stub_apptainer`: answers --version, records its calls, runs nothing). The
dry runs show which images Snakemake would pull; the rule table is read from the loaded workflow with
the Apptainer deployment method on, exactly as `snakemake --use-singularity` loads it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import yaml

from conftest import REPO, SAMPLE, snakemake_cmd

OPENFACE_IMAGE = yaml.safe_load((REPO / "config.yaml").read_text())["face"]["openface"]["container"]
PROJECT_IMAGE = "docker://registry.example.org/engage:0.1.0"  # any URI: the stub never pulls it

#: Loads the workflow through Snakemake's API with Apptainer on and prints {rule: image or null}.
RULE_IMAGES = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import (ConfigSettings, DeploymentSettings, OutputSettings, ResourceSettings,
                                      StorageSettings)
from snakemake_interface_executor_plugins.settings import DeploymentMethod
snakefile, workdir, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with SnakemakeApi(OutputSettings()) as api:
    wf = api.workflow(resource_settings=ResourceSettings(cores=1), config_settings=ConfigSettings(config=config),
                      storage_settings=StorageSettings(),
                      deployment_settings=DeploymentSettings(deployment_method={DeploymentMethod.APPTAINER}),
                      snakefile=Path(snakefile), workdir=Path(workdir))
    print("RULE_IMAGES=" + json.dumps({r.name: r.container_img for r in wf._workflow.rules}))
"""


def _config(tmp_path, **extra) -> dict:
    return {"sessions_dir": str(SAMPLE.parent), "results_dir": str(tmp_path / "results"), **extra}


def _planned_images(tmp_path, env, **extra) -> list[str]:
    cmd = snakemake_cmd("-n", "--cores", "2", "--use-singularity", config=_config(tmp_path, **extra), cwd=tmp_path)
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    out = res.stdout + res.stderr
    return sorted(set(re.findall(r"Singularity image (\S+) will be pulled", out)))


def _rule_images(tmp_path, env, **extra) -> dict[str, str | None]:
    res = subprocess.run([sys.executable, "-c", RULE_IMAGES, str(REPO / "Snakefile"), str(tmp_path),
                          json.dumps(_config(tmp_path, **extra))], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    line = next(x for x in res.stdout.splitlines() if x.startswith("RULE_IMAGES="))
    return json.loads(line.removeprefix("RULE_IMAGES="))


def test_openface_image_is_pinned_by_digest():
    assert re.fullmatch(r"docker://algebr/openface@sha256:[0-9a-f]{64}", OPENFACE_IMAGE), OPENFACE_IMAGE


def test_by_default_only_the_openface_image_is_planned(tmp_path, stub_apptainer):
    """A new user's `snakemake -n --use-singularity`: one image (OpenFace); every other rule on the host."""
    assert _planned_images(tmp_path, stub_apptainer["env"]) == [OPENFACE_IMAGE]
    images = _rule_images(tmp_path, stub_apptainer["env"])
    assert {r for r, img in images.items() if img} == {"face_openface_run"}
    assert images["face_openface_run"] == OPENFACE_IMAGE
    assert "--version" in stub_apptainer["calls"].read_text()  # the stub was asked, nothing was run


def test_with_container_image_set_every_rule_gets_it(tmp_path, stub_apptainer):
    assert _planned_images(tmp_path, stub_apptainer["env"], container_image=PROJECT_IMAGE) == sorted(
        [PROJECT_IMAGE, OPENFACE_IMAGE])
    images = _rule_images(tmp_path, stub_apptainer["env"], container_image=PROJECT_IMAGE)
    assert images["face_openface_run"] == OPENFACE_IMAGE
    others = {r: img for r, img in images.items() if r != "face_openface_run"}
    assert len(others) > 15 and set(others.values()) == {PROJECT_IMAGE}, others
