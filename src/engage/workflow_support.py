"""Helpers the Snakefile uses at parse time (kept here so they are unit-tested)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from engage.errors import ConfigError

#: Allowed session folder names: no path separators, no leading dot (never escapes the results folder).
SESSION_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9._-]*"

VIDEO_NAMES = ("gallery.mp4", "gallery.mkv", "gallery.webm", "gallery.mov", "gallery.avi")


def session_video_path(sessions_dir: str | os.PathLike, session: str) -> str:
    """Path of the session's recording; the first existing ``gallery.<ext>`` (mp4 if none exists)."""
    d = Path(sessions_dir) / session
    for name in VIDEO_NAMES:
        if (d / name).exists():
            return str(d / name)
    return str(d / VIDEO_NAMES[0])


def discover_sessions(sessions_dir: str | os.PathLike, pattern: str = SESSION_PATTERN) -> tuple[list[str], list[tuple[str, str]]]:
    """Return (sorted valid session ids, [(rejected name, reason)]).

    A session is a sub-folder holding a ``gallery.<ext>`` recording. Folder names must match
    ``pattern`` so that paths built from them never leave the results folder; others are rejected
    with a reason (the caller prints it) and get no jobs, so the remaining sessions still run.
    """
    root = Path(sessions_dir)
    if not root.is_dir():
        return [], []
    ok, bad = [], []
    rx = re.compile(pattern)
    for d in sorted(root.iterdir()):
        if not d.is_dir() or d.name.startswith("."):
            continue
        if not any((d / n).exists() for n in VIDEO_NAMES):
            continue
        if rx.fullmatch(d.name):
            ok.append(d.name)
        else:
            bad.append((d.name, f"unsafe session folder name (allowed: {pattern})"))
    return ok, bad


# --- weights: where the configured files are ----------------------------------------------------------


def weights_path(value: object, basedir: str | os.PathLike) -> str:
    """A weights config value: ``random`` (and ``""``) as is; relative paths from the workflow folder
    ``basedir`` (where config.yaml and models/ ship), so --directory does not change which file is used."""
    w = str(value)
    if w in ("random", "") or os.path.isabs(w):
        return w
    return str(Path(basedir) / w)


def existing_weights(value: object, basedir: str | os.PathLike) -> list[str]:
    """The checkpoint as a rule input when it exists (a changed file reruns the stage); a missing file is
    reported by the stage itself with what to put where (it never triggers a download)."""
    w = weights_path(value, basedir)
    return [w] if w not in ("random", "") and Path(w).is_file() else []


def i3d_download_target(weights: str, weights_url: str, basedir: str | os.PathLike) -> str:
    """Where ``snakemake download_i3d_weights`` saves the checkpoint: the configured weights file, or
    ``models/i3d/<file name of the URL>`` while i3d.weights is ``random``."""
    w = weights_path(weights, basedir)
    if w != "random":
        return w
    name = Path(weights_url.split("?")[0]).name or "i3d_checkpoint.pt"
    return f"models/i3d/{name}"


def face_backend(chosen: str, deployment_methods) -> str:
    """``face.backend``: ``auto`` is ``openface`` when Snakemake runs with containers (apptainer), else ``builtin``."""
    if chosen != "auto":
        return chosen
    names = [getattr(m, "name", str(m)).upper() for m in (deployment_methods or ())]
    return "openface" if "APPTAINER" in names else "builtin"


def first_existing(sessions_dir: str | os.PathLike, session: str, names: tuple[str, ...]) -> list[str]:
    """The first of ``names`` that exists in the session folder, as a one-element input list (or none)."""
    for name in names:
        p = Path(sessions_dir) / session / name
        if p.exists():
            return [str(p)]
    return []


# --- model: which datasets, runs and predictions the configuration asks for -----------------------------


@dataclass
class ModelPlan:
    """What the model rules build for a configuration and the discovered sessions.

    ``notes`` are the lines the workflow prints at parse time (why something is not part of ``all``).
    """

    labelled_sessions: list[str]
    available_datasets: list[str]
    trainable_runs: list[str]
    predict_model: str | None
    notes: list[str] = field(default_factory=list)


def run_dataset(config: dict, run: str) -> str:
    """The dataset a run trains on: its ``dataset`` key, else ``dataset.name``."""
    return config["runs"][run].get("dataset") or config["dataset"]["name"]


def plan_models(config: dict, sessions: list[str], sessions_dir: str | os.PathLike, results: str,
                basedir: str | os.PathLike) -> ModelPlan:
    """Labelled sessions, buildable datasets, trainable runs and the model that predicts (ConfigError on
    contradictions: a CMOSE import named like the dataset, unknown ``train.only_runs`` or ``predict.run``)."""
    dataset, train, runs, predict = config["dataset"], config["train"], config["runs"], config["predict"]
    cmose = dataset["cmose_release"]
    labelled = [s for s in sessions if (Path(sessions_dir) / s / "labels.csv").exists()]
    available = [dataset["name"]] if labelled else []
    if cmose["json"]:
        if cmose["name"] == dataset["name"]:
            raise ConfigError("dataset.cmose_release.name must differ from dataset.name")
        available.append(cmose["name"])
    unknown = [r for r in train["only_runs"] if r not in runs]
    if unknown:
        raise ConfigError(f"train.only_runs names runs not in runs: {unknown}")
    trainable = [r for r in runs if run_dataset(config, r) in available
                 and (not train["only_runs"] or r in train["only_runs"])]
    notes = []
    if runs and not trainable:
        notes.append("model: no session has labels.csv and no CMOSE import is configured: "
                     "train/eval/tables are not part of `all`")
    model = None
    if predict["model"]:
        model = weights_path(predict["model"], basedir)
    elif predict["run"] and predict["run"] not in runs:
        raise ConfigError(f"predict.run {predict['run']!r} is not a key of runs:")
    elif predict["run"] and run_dataset(config, predict["run"]) in available:
        model = f"{results}/models/{predict['run']}/model.pt"
    elif predict["run"]:
        notes.append(f"model: predict.run {predict['run']!r} cannot be trained (no labelled sessions for its "
                     "dataset): no predictions")
    return ModelPlan(labelled, available, trainable, model, notes)


def run_spec(config: dict, run: str) -> dict:
    """The run as passed to training: loss, variant, audio, groups, dataset and model sizes."""
    r = config["runs"][run]
    spec = {
        "loss": r["loss"],
        "variant": r.get("variant", "concat_attention"),
        "audio": bool(r.get("audio", False)),
        "dataset": run_dataset(config, run),
        "groups": list(r.get("groups", [])),
    }
    spec.update({**config["train"]["model"], **r.get("model", {})})
    return spec


#: train: keys that are workflow settings, not training settings of a run.
WORKFLOW_TRAIN_KEYS = ("model", "threads", "eval_split", "only_runs")


def run_train_settings(config: dict, run: str) -> dict:
    """train: defaults overridden by the run's own train: block."""
    t = {k: v for k, v in config["train"].items() if k not in WORKFLOW_TRAIN_KEYS}
    t.update(config["runs"][run].get("train", {}))
    return t


DATASET_FEATURES = (
    ("clips", "clips.parquet"),
    ("face", "features/face.parquet"),
    ("i3d", "features/i3d.parquet"),
    ("speech", "features/clip_speech.parquet"),
    ("acoustics", "features/acoustics.parquet"),
    ("text", "features/text.parquet"),
)


def dataset_inputs(labelled: list[str], sessions_dir: str | os.PathLike, results: str, interaction: bool) -> dict:
    """Feature files and labels of every labelled session (the dataset rule's named inputs)."""
    files = {"labels": [str(Path(sessions_dir) / s / "labels.csv") for s in labelled]}
    for key, rel in DATASET_FEATURES:
        files[key] = [f"{results}/{s}/{rel}" for s in labelled]
    if interaction:
        files["interaction"] = [f"{results}/{s}/features/interaction.parquet" for s in labelled]
    return files
