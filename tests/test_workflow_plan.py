"""What the workflow builds for a configuration (engage.workflow_support, used by workflow/rules/common.smk)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
import yaml

from conftest import REPO
from engage.errors import ConfigError
from engage.labels.sources import label_sources
from engage.workflow_support import (dataset_inputs, existing_weights, face_backend, i3d_download_target, plan_models,
                                     run_spec, run_train_settings, weights_path)

CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())


def config(**sections) -> dict:
    c = copy.deepcopy(CONFIG)
    for key, value in sections.items():
        c[key] = {**c[key], **value} if isinstance(value, dict) else value
    return c


@pytest.fixture()
def sessions(tmp_path):
    for s in ("a", "b", "c"):
        (tmp_path / s).mkdir()
    (tmp_path / "a" / "labels.csv").write_text("clip_id,label\na_0000_p00,EG\n")
    (tmp_path / "c" / "labels.csv").write_text("clip_id,label\n")  # header only: not labelled
    return tmp_path


def model_plan(cfg, names, folder):
    """plan_models as common.smk calls it: with the label files found once in the session folders."""
    return plan_models(cfg, names, label_sources(folder, names), "res", "/wf")


def test_weights_resolve_from_the_workflow_folder(tmp_path):
    assert weights_path("models/x.pt", "/wf") == "/wf/models/x.pt"
    assert weights_path("/abs/x.pt", "/wf") == "/abs/x.pt"
    assert weights_path("random", "/wf") == "random"
    (tmp_path / "m.pt").write_bytes(b"x")
    assert existing_weights("m.pt", tmp_path) == [str(tmp_path / "m.pt")]
    assert existing_weights("missing.pt", tmp_path) == [] and existing_weights("random", tmp_path) == []
    assert i3d_download_target("random", "https://h/x/rgb_imagenet.pt?raw=1", "/wf") == "models/i3d/rgb_imagenet.pt"
    assert i3d_download_target("ckpt/i3d.pt", "https://h/x.pt", "/wf") == "/wf/ckpt/i3d.pt"


def test_face_backend_auto_follows_containers():
    apptainer = SimpleNamespace(name="APPTAINER")
    assert face_backend("auto", [apptainer]) == "openface"
    assert face_backend("auto", ()) == face_backend("auto", None) == "builtin"
    assert face_backend("builtin", [apptainer]) == "builtin"


def test_plan_without_labels_trains_nothing(sessions):
    plan = model_plan(CONFIG, ["b", "c"], sessions)
    assert plan.labelled_sessions == [] and plan.trainable_runs == [] and plan.predict_model is None
    assert any("train/eval/tables are not part of `all`" in n for n in plan.notes)


def test_plan_with_labels_and_predict_run(sessions):
    cfg = config(train={"only_runs": ["ce", "mocorank"]}, predict={"run": "ce"})
    plan = model_plan(cfg, ["a", "b", "c"], sessions)
    assert plan.labelled_sessions == ["a"] and plan.available_datasets == [CONFIG["dataset"]["name"]]
    assert plan.trainable_runs == ["ce", "mocorank"] and plan.predict_model == "res/models/ce/model.pt"
    assert plan.notes == []


def test_rater_files_make_a_session_labelled(sessions):
    (sessions / "b" / "labels").mkdir()
    (sessions / "b" / "labels" / "anna.csv").write_text("clip_id,label\nb_0000_p00,HE\n")
    assert model_plan(CONFIG, ["a", "b", "c"], sessions).labelled_sessions == ["a", "b"]


def test_predict_model_is_a_weights_path_and_wins_over_run(sessions):
    plan = model_plan(config(predict={"model": "trained/model.pt", "run": "ce"}), ["b"], sessions)
    assert plan.predict_model == "/wf/trained/model.pt"
    plan = model_plan(config(predict={"run": "ce"}), ["b"], sessions)
    assert plan.predict_model is None and any("cannot be trained" in n for n in plan.notes)


@pytest.mark.parametrize("cfg,problem", [
    (config(train={"only_runs": ["nope"]}), "train.only_runs names runs not in runs"),
    (config(predict={"run": "nope"}), "predict.run 'nope' is not a key of runs"),
    (config(dataset={"cmose_release": {**CONFIG["dataset"]["cmose_release"], "json": "x.json",
                                       "name": CONFIG["dataset"]["name"]}}), "must differ from dataset.name"),
])
def test_contradictory_model_settings_are_config_errors(sessions, cfg, problem):
    with pytest.raises(ConfigError, match=problem):
        model_plan(cfg, ["a"], sessions)


def test_run_spec_settings_and_dataset_inputs(sessions):
    cfg = config(runs={"r": {"loss": "ce", "audio": True, "train": {"epochs": 3}, "model": {"hidden": 8}}})
    spec = run_spec(cfg, "r")
    assert spec["loss"] == "ce" and spec["audio"] is True and spec["variant"] == "concat_attention"
    assert spec["hidden"] == 8 and spec["tcn_levels"] == CONFIG["train"]["model"]["tcn_levels"]
    assert spec["dataset"] == CONFIG["dataset"]["name"]
    train = run_train_settings(cfg, "r")
    assert train["epochs"] == 3 and not {"model", "threads", "eval_split", "only_runs"} & set(train)
    files = dataset_inputs(["a"], "res", interaction=True)
    assert files["labels"] == ["res/a/labels/merged.parquet"]
    assert files["face"] == ["res/a/features/face.parquet"] and files["interaction"] == ["res/a/features/interaction.parquet"]
    assert "interaction" not in dataset_inputs(["a"], "res", interaction=False)
