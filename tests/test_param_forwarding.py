"""Every rule's settings provably reach its stage function.

For each rule with a ``script:``, the rule's ``params:`` keys (forwarded by engage.runner.run_stage
under their own names) plus the keyword arguments the script passes (files, wildcards, threads) must
be exactly the arguments of the stage function the script calls: a params key the function does not
take, a function argument nobody sets (a silent default), or a key given twice all fail. The rules are
read from the real workflow through Snakemake's API, once per face backend (each defines other rules).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

from conftest import REPO, SAMPLE


def workflow_rules(tmp_path: Path, **config) -> list:
    settings = ConfigSettings(config={"sessions_dir": str(SAMPLE.parent), "results_dir": str(tmp_path / "results"),
                                      **config})
    with SnakemakeApi(OutputSettings()) as api:
        wf = api.workflow(resource_settings=ResourceSettings(), config_settings=settings, snakefile=REPO / "Snakefile",
                          workdir=tmp_path)
        return list(wf._workflow.rules)


def script_call(script: Path):
    """(stage function, keyword names the script passes) of the script's ``run_stage(snakemake, func, ...)``."""
    tree = ast.parse(script.read_text())
    imports = {a.asname or a.name: node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for a in node.names}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "run_stage"]
    assert len(calls) == 1, f"{script.name}: expected one run_stage(...) call"
    name = calls[0].args[1].id
    func = getattr(importlib.import_module(imports[name]), name)
    return func, [k.arg for k in calls[0].keywords]


def forwarding_problems(rule: str, params: list[str], func, explicit: list[str]) -> list[str]:
    """What is wrong with how ``rule`` reaches ``func`` (empty when params + explicit == its arguments)."""
    sig = inspect.signature(func).parameters
    takes = {n for n, p in sig.items() if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    problems = [f"{rule}: params key {k!r} is not an argument of {func.__name__}" for k in params if k not in takes]
    problems += [f"{rule}: script passes {k!r}, which {func.__name__} does not take" for k in explicit if k not in takes]
    problems += [f"{rule}: {k!r} is both a params key and passed by the script" for k in set(params) & set(explicit)]
    problems += [f"{rule}: argument {k!r} of {func.__name__} is set by neither params nor the script"
                 for k in sorted(takes - set(params) - set(explicit))]
    return problems


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    seen = {}
    for backend in ("builtin", "openface"):
        for r in workflow_rules(tmp_path_factory.mktemp(backend), face={"backend": backend}):
            seen.setdefault(r.name, r)
    return seen


def test_every_rule_param_reaches_its_stage_function(rules):
    problems, checked = [], []
    for name, rule in sorted(rules.items()):
        if not rule.script:
            assert name == "all" or rule.shellcmd, f"rule {name} has neither script nor shell"
            continue
        func, explicit = script_call(Path(rule.snakefile).parent / rule.script)
        problems += forwarding_problems(name, list(rule.params.keys()), func, explicit)
        checked.append(name)
    assert not problems, "\n".join(problems)
    # every stage rule was looked at (both face backends, the model and labels rules, the opt-in download)
    assert {"ingest", "layout", "tracks", "clips", "face_builtin", "face_openface", "face_openface_list", "i3d",
            "download_i3d_weights", "asd", "clip_speech", "acoustics", "text", "interaction", "dataset",
            "cmose_import", "train", "eval", "tables", "predict", "session_report", "label_page", "label_pages",
            "labels_merge", "labels_agreement"} <= set(checked)


def test_the_check_catches_a_dropped_param_and_a_silent_default():
    def layout_session(*, session, max_width=640, max_downscale=2.0, id_rejoin_max_distance=12.0):
        ...

    problems = forwarding_problems("layout", ["max_width", "fit"], layout_session, ["session"])
    assert problems == ["layout: params key 'fit' is not an argument of layout_session",
                        "layout: argument 'id_rejoin_max_distance' of layout_session is set by neither params nor "
                        "the script",
                        "layout: argument 'max_downscale' of layout_session is set by neither params nor the script"]


def test_layout_settings_reach_detection(rules):
    """The bug this test exists for: max_downscale and id_rejoin_max_distance were set in config but dropped."""
    keys = set(rules["layout"].params.keys())
    assert {"max_downscale", "id_rejoin_max_distance"} <= keys
    func, explicit = script_call(REPO / "workflow" / "scripts" / "layout.py")
    assert "max_downscale" not in explicit  # forwarded by run_stage, not listed (one way to forward)
