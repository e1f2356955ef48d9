"""Helpers the Snakefile uses at parse time (kept here so they are unit-tested).

Session discovery and the checks on ``sessions_dir``/``results_dir`` live here, apart from the
model/run logic: every problem they find is one line the Snakefile prints before any job runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from engage.errors import ConfigError

if TYPE_CHECKING:  # engage.labels imports this module (SESSION_PATTERN); only the type is needed here
    from engage.labels.sources import LabelSources

#: Allowed session folder names: no path separators, no leading dot (never escapes the results folder).
SESSION_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9._-]*"

#: A session's recording: the first of these that exists is used.
VIDEO_NAMES = ("gallery.mp4", "gallery.mkv", "gallery.webm", "gallery.mov", "gallery.avi")
#: A session's optional transcript: the first of these that exists is used.
TRANSCRIPT_NAMES = ("transcript.vtt", "transcript.srt")

#: Top-level folders of ``results_dir`` that the rules share between sessions (``results/logs/<stage>/
#: <s>.log``, ``results/models/<run>/``, ...). Per-session outputs are ``results/<s>/...``, so a session
#: with one of these names would write into (and, on a rerun, delete from) the shared folder. The
#: Snakefile checks after parsing that every top-level folder a rule writes is listed here
#: (:func:`unreserved_result_names`), so this tuple cannot fall behind the rules.
SHARED_RESULT_NAMES = ("benchmarks", "dataset", "label", "labels", "logs", "models", "predictions", "tables")
#: Top-level results names written outside the rules or kept free for shared outputs:
#: ``./pipeline.sh sample`` writes ``results/report.html``; ``report`` is held for workflow-wide report outputs.
EXTRA_RESERVED_NAMES = ("report", "report.html")
#: Session names that are refused (compared case-insensitively: macOS and Windows file systems are).
RESERVED_SESSION_NAMES = frozenset(SHARED_RESULT_NAMES + EXTRA_RESERVED_NAMES)


@dataclass(frozen=True)
class FileChoice:
    """Which of a session's candidate files is used, and what the user should hear about it.

    ``path`` is None when no candidate is usable; ``problem`` then says why (None: the folder simply has
    none, which is fine for an optional file). ``warning`` is set when a file is used but another
    candidate (or a misnamed/broken one) was passed over.
    """

    path: Path | None
    problem: str | None = None
    warning: str | None = None


def choose_session_file(folder: str | os.PathLike, names: Iterable[str]) -> FileChoice:
    """Pick the first existing regular file of ``names`` in ``folder`` and explain what was passed over.

    Why: a session folder is written by hand; ``Gallery.MP4`` (wrong case on a case-sensitive file
    system), a symlink whose target is gone, or two candidates side by side must not be resolved
    silently. This is the one place that decides which file a session uses (recording and transcript).
    """
    folder = Path(folder)
    names = tuple(names)
    usable = [n for n in names if (folder / n).is_file()]
    broken = [n for n in names if (folder / n).is_symlink() and not (folder / n).exists()]
    not_files = [n for n in names if (folder / n).exists() and not (folder / n).is_file()]
    if usable:
        used = usable[0]
        passed = [n for n in names if n != used and (n in usable or n in broken or n in not_files)]
        if not passed:
            return FileChoice(folder / used)
        return FileChoice(folder / used, warning=f"found {used} and {_describe(folder, passed)}; using {used}")
    if broken:
        target = os.readlink(folder / broken[0])
        return FileChoice(None, problem=f"{broken[0]} is a broken symbolic link (its target {target} does not exist)")
    if not_files:
        return FileChoice(None, problem=f"{not_files[0]} is not a regular file")
    lower = {n.lower(): n for n in names}
    try:
        entries = sorted(p.name for p in folder.iterdir())
    except OSError:
        entries = []
    misnamed = [e for e in entries if e.lower() in lower]
    if misnamed:
        return FileChoice(None, problem=f"found {misnamed[0]} but file names are case-sensitive: "
                                        f"rename it to {lower[misnamed[0].lower()]}")
    return FileChoice(None)


def _describe(folder: Path, names: list[str]) -> str:
    parts = []
    for n in names:
        p = folder / n
        if p.is_symlink() and not p.exists():
            parts.append(f"{n} (a broken symbolic link)")
        elif p.exists() and not p.is_file():
            parts.append(f"{n} (not a regular file)")
        else:
            parts.append(n)
    return ", ".join(parts)


def session_video_path(sessions_dir: str | os.PathLike, session: str) -> str:
    """Path of the session's recording: the first usable of :data:`VIDEO_NAMES` (``gallery.mp4`` if
    there is none: the rule then says it is missing)."""
    chosen = choose_session_file(Path(sessions_dir) / session, VIDEO_NAMES).path
    return str(chosen if chosen is not None else Path(sessions_dir) / session / VIDEO_NAMES[0])


def session_transcript_path(sessions_dir: str | os.PathLike, session: str) -> str | None:
    """Path of the session's transcript (``transcript.vtt``, else ``transcript.srt``), or None: the
    session is then cut into fixed windows."""
    chosen = choose_session_file(Path(sessions_dir) / session, TRANSCRIPT_NAMES).path
    return str(chosen) if chosen is not None else None


@dataclass(frozen=True)
class SessionScan:
    """What :func:`discover_sessions` found: valid session ids, refused folders, per-session warnings."""

    sessions: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (folder name, problem)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (session, message)


def session_name_problem(name: str, pattern: str = SESSION_PATTERN) -> str | None:
    """Why a folder name cannot be a session id (None if it can)."""
    if not re.fullmatch(pattern, name):
        return f"unsafe session folder name (allowed: {pattern})"
    if name.lower() in RESERVED_SESSION_NAMES:
        return (f"reserved session folder name (<results_dir>/{name.lower()}/ is shared by all sessions; "
                f"reserved: {', '.join(sorted(RESERVED_SESSION_NAMES))}): rename the folder")
    return None


def discover_sessions(sessions_dir: str | os.PathLike, pattern: str = SESSION_PATTERN) -> SessionScan:
    """Scan ``sessions_dir``: every non-hidden sub-folder is a session or is reported.

    A session is a sub-folder holding a usable ``gallery.<ext>`` recording and a name matching
    ``pattern`` that is not reserved (:data:`RESERVED_SESSION_NAMES`), so that paths built from it never
    leave the results folder or collide with shared outputs. Any other sub-folder (no recording, a
    misnamed or broken one, a bad name, a broken folder link) is rejected with a reason, and the
    caller prints one line for it; the remaining sessions still run. Hidden folders (``.git``) and
    plain files are not sessions and are ignored. A missing ``sessions_dir`` gives an empty scan
    (:func:`folder_problem` reports it).
    """
    root = Path(sessions_dir)
    scan = SessionScan()
    if not root.is_dir():
        return scan
    for d in sorted(root.iterdir()):
        if d.name.startswith("."):
            continue
        if d.is_symlink() and not d.exists():
            scan.rejected.append((d.name, f"the session folder is a broken symbolic link (to {os.readlink(d)})"))
            continue
        if not d.is_dir():
            continue
        video = choose_session_file(d, VIDEO_NAMES)
        if video.path is None:
            problem = video.problem or _no_recording(d)
            scan.rejected.append((d.name, problem))
            continue
        why = session_name_problem(d.name, pattern)
        if why:
            scan.rejected.append((d.name, why))
            continue
        scan.sessions.append(d.name)
        for choice in (video, choose_session_file(d, TRANSCRIPT_NAMES)):
            if choice.warning:
                scan.warnings.append((d.name, choice.warning))
            elif choice.problem:  # optional transcript that is there but unusable
                scan.warnings.append((d.name, f"{choice.problem}; the session is processed without a transcript"))
    return scan


def _no_recording(folder: Path) -> str:
    exts = {Path(n).suffix for n in VIDEO_NAMES}
    try:
        videos = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in exts and not p.name.startswith("."))
    except OSError:
        videos = []
    hint = f" (found {videos[0]}: rename it to gallery{Path(videos[0]).suffix.lower()})" if videos else ""
    return f"no recording: expected one of {', '.join(VIDEO_NAMES)}{hint}"


def sessions_dir_problem(sessions_dir: str | os.PathLike) -> str | None:
    """Why ``sessions_dir`` cannot be scanned (None if it can)."""
    path = Path(sessions_dir)
    if not path.exists():
        return f"sessions_dir '{sessions_dir}' does not exist (set it in config.yaml or with --config sessions_dir=PATH)"
    if not path.is_dir():
        return f"sessions_dir '{sessions_dir}' is not a folder"
    return None


def folder_problem(sessions_dir: str | os.PathLike, results_dir: str | os.PathLike) -> str | None:
    """One line saying why ``sessions_dir``/``results_dir`` cannot be used together (None if they can).

    Why: outputs written into a session folder (or inputs inside the results folder) become inputs
    of the next run and give a cyclic dependency. Both paths are compared after resolving symbolic
    links and relative paths (from the working directory, as Snakemake uses them).
    """
    missing = sessions_dir_problem(sessions_dir)
    if missing:
        return missing
    s, r = Path(sessions_dir).resolve(), Path(results_dir).resolve()
    if s == r:
        return f"results_dir '{results_dir}' is the sessions_dir: outputs would land in the session folders; use another folder"
    if s in r.parents:
        return (f"results_dir '{results_dir}' is inside sessions_dir '{sessions_dir}' ({r} in {s}): "
                "outputs would be read as sessions; use a folder outside it")
    if r in s.parents:
        return (f"sessions_dir '{sessions_dir}' is inside results_dir '{results_dir}' ({s} in {r}): "
                "inputs would mix with outputs; use folders side by side")
    return None


#: ``{session}`` as Snakemake spells it in a rule's paths (with its constraint: ``{session,<regex>}``).
_SESSION_WILDCARD = re.compile(r"\{session(?:,.*)?\}")


def unreserved_result_names(paths: Iterable[str], results_dir: str) -> list[str]:
    """Top-level names under ``results_dir`` that rule paths write but that are not reserved session names.

    ``paths`` are the output/log/benchmark patterns of every rule; ``results/{session}/...`` is the
    per-session space and is skipped. A non-empty answer is a bug in the workflow (a new shared
    folder that a session of the same name would collide with): add it to :data:`SHARED_RESULT_NAMES`.
    """
    prefix = str(results_dir).rstrip("/") + "/"
    missing = set()
    for p in paths:
        p = str(p)
        if not p.startswith(prefix):
            continue
        top = p[len(prefix):].split("/", 1)[0]
        if _SESSION_WILDCARD.fullmatch(top) or top.lower() in RESERVED_SESSION_NAMES:
            continue
        missing.add(top)
    return sorted(missing)


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


def plan_models(config: dict, sessions: list[str], label_sources: Mapping[str, LabelSources], results: str,
                basedir: str | os.PathLike) -> ModelPlan:
    """Labelled sessions, buildable datasets, trainable runs and the model that predicts (ConfigError on
    contradictions: a CMOSE import named like the dataset, unknown ``train.only_runs`` or ``predict.run``).

    ``label_sources``: the label files of each session (:func:`engage.labels.sources.label_sources`); a
    session is labelled when it has a non-empty labels.csv or rater files ``labels/<rater>.csv``.
    """
    dataset, train, runs, predict = config["dataset"], config["train"], config["runs"], config["predict"]
    cmose = dataset["cmose_release"]
    labelled = [s for s in sessions if s in label_sources and label_sources[s].labelled]
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
        notes.append("model: no session has labels (labels.csv or labels/<rater>.csv) and no CMOSE import is "
                     "configured: train/eval/tables are not part of `all`")
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


def dataset_inputs(labelled: list[str], results: str, interaction: bool) -> dict:
    """Feature files and merged labels (rule labels_merge) of every labelled session (the dataset rule's
    named inputs)."""
    files = {"labels": [f"{results}/{s}/labels/merged.parquet" for s in labelled]}
    for key, rel in DATASET_FEATURES:
        files[key] = [f"{results}/{s}/{rel}" for s in labelled]
    if interaction:
        files["interaction"] = [f"{results}/{s}/features/interaction.parquet" for s in labelled]
    return files
