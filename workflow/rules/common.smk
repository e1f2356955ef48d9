# Shared helpers: config validation, session discovery, path helpers, final targets.
import os
import re
import sys
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# Library code lives in src/ (workflow/scripts/*.py put it on sys.path the same way).
SRC_DIR = str(Path(workflow.basedir) / "src")
if SRC_DIR not in sys.path:
    sys.path.insert(0, SRC_DIR)

from engage.configcheck import coerce_config_strings, config_error_line
from engage.workflow_support import (
    SESSION_PATTERN,
    VIDEO_NAMES,
    discover_sessions,
    folder_problem,
    session_transcript_path,
    session_video_path,
    unreserved_result_names,
)


def parse_error(message):
    """Stop at parse time with one line (no traceback, no schema dump)."""
    print(f"ERROR {message}", file=sys.stderr)
    sys.exit(1)


# Nested --config values arrive as strings ('clips={target_s: 8.0}'): read them as the schema's types.
CONFIG_SCHEMA = str(
    Path(str(workflow.current_basedir)).parent / "schemas/config.schema.yaml"
)
with open(CONFIG_SCHEMA) as _f:
    _schema = yaml.safe_load(_f)
config.update(coerce_config_strings(dict(config), _schema))
try:
    validate(config, schema=CONFIG_SCHEMA)
except WorkflowError:
    _line = config_error_line(config, _schema)
    if _line is None:
        raise
    parse_error(f"config: {_line}")

RESULTS = str(Path(config["results_dir"]))  # normalised: no trailing separator
SESSIONS_DIR = config["sessions_dir"]
SESSION_RE = SESSION_PATTERN

_folders = folder_problem(SESSIONS_DIR, RESULTS)
if _folders:
    parse_error(f"config: {_folders}")
_scan = discover_sessions(SESSIONS_DIR, SESSION_RE)
SESSIONS, REJECTED_SESSIONS = _scan.sessions, _scan.rejected
for _name, _why in REJECTED_SESSIONS:
    print(
        f"ERROR session {_name!r} in {SESSIONS_DIR}: {_why}; skipped", file=sys.stderr
    )
for _name, _why in _scan.warnings:
    print(f"WARNING session {_name!r} in {SESSIONS_DIR}: {_why}", file=sys.stderr)
if not SESSIONS:
    print(
        f"WARNING sessions_dir {SESSIONS_DIR}: no session (a sub-folder with one of "
        f"{', '.join(VIDEO_NAMES)}); no per-session jobs",
        file=sys.stderr,
    )


def check_result_names():
    """After all rules are read: every top-level results folder they write must be a reserved
    session name (engage.workflow_support.SHARED_RESULT_NAMES), or a session could collide with it.
    """
    paths = [
        str(f)
        for r in workflow.rules
        for f in (*r.output, *r.log, *([r.benchmark] if r.benchmark else []))
    ]
    missing = unreserved_result_names(paths, RESULTS)
    if missing:
        raise WorkflowError(
            f"rules write shared results folders {missing} that are not reserved session names: "
            "add them to engage.workflow_support.SHARED_RESULT_NAMES"
        )


wildcard_constraints:
    session=SESSION_RE,


# Stage files append per-session outputs (relative to <results>/<session>/) and global outputs
# (relative to <results>/) to these lists; `rule all` requests them for every discovered session.
PER_SESSION_TARGETS = []
GLOBAL_TARGETS = []


def res(path):
    """A path under the results folder."""
    return f"{RESULTS}/{path}"


def session_video(wildcards):
    """The recording of a session: gallery.<ext> inside its folder."""
    return session_video_path(SESSIONS_DIR, wildcards.session)


def session_file(name):
    """Input function for an optional per-session file (empty list if absent)."""

    def _f(wildcards):
        p = Path(SESSIONS_DIR) / wildcards.session / name
        return [str(p)] if p.exists() else []

    return _f


def all_targets(wildcards):
    out = [res(f"{s}/{t}") for s in SESSIONS for t in PER_SESSION_TARGETS]
    out += [res(t) for t in GLOBAL_TARGETS]
    return out


# --- asd: settings and input functions used by workflow/rules/asd.smk ---

ASD = config["asd"]


def session_transcript(wildcards):
    """The session's transcript (transcript.vtt, else transcript.srt), or no input (fixed windows)."""
    path = session_transcript_path(SESSIONS_DIR, wildcards.session)
    return [path] if path else []


def weights_path(value):
    """A weights config value: `random` as is; relative paths from the workflow folder
    (where config.yaml and models/ ship), so --directory does not change which file is used.
    """
    w = str(value)
    if w == "random" or os.path.isabs(w):
        return w
    return str(Path(workflow.basedir) / w)


def existing_weights(value):
    """The checkpoint as a rule input when it exists (a changed file reruns the stage); a missing
    file is reported by the stage itself with what to put where (never triggers a download).
    """
    w = weights_path(value)
    return [w] if w != "random" and Path(w).is_file() else []


def asd_weights_input(wildcards):
    return existing_weights(ASD["weights"])


# --- face: settings and input functions used by workflow/rules/face.smk ---


def face_backend():
    chosen = config["face"]["backend"]
    if chosen != "auto":
        return chosen
    methods = workflow.deployment_settings.deployment_method or ()
    with_containers = any(
        getattr(m, "name", str(m)).upper() == "APPTAINER" for m in methods
    )
    return "openface" if with_containers else "builtin"


FACE_BACKEND = face_backend()


# --- i3d: settings and input functions used by workflow/rules/i3d.smk ---

I3D = config["i3d"]


def i3d_weights_input(wildcards):
    return existing_weights(I3D["weights"])


def i3d_download_target():
    w = weights_path(I3D["weights"])
    if w != "random":
        return w
    name = Path(I3D["weights_url"].split("?")[0]).name or "i3d_checkpoint.pt"
    return f"models/i3d/{name}"


# --- model: settings and input functions used by workflow/rules/model.smk ---

DATASET = config["dataset"]
TRAIN = config["train"]
RUNS = config["runs"]
PREDICT = config["predict"]
CMOSE = DATASET["cmose_release"]

LABELLED_SESSIONS = [
    s for s in SESSIONS if (Path(SESSIONS_DIR) / s / "labels.csv").exists()
]
AVAILABLE_DATASETS = []
if LABELLED_SESSIONS:
    AVAILABLE_DATASETS.append(DATASET["name"])
if CMOSE["json"]:
    if CMOSE["name"] == DATASET["name"]:
        raise ValueError("dataset.cmose_release.name must differ from dataset.name")
    AVAILABLE_DATASETS.append(CMOSE["name"])


def run_dataset(run):
    return RUNS[run].get("dataset") or DATASET["name"]


_unknown_runs = [r for r in TRAIN["only_runs"] if r not in RUNS]
if _unknown_runs:
    raise ValueError(f"train.only_runs names runs not in runs: {_unknown_runs}")
TRAINABLE_RUNS = [
    r
    for r in RUNS
    if run_dataset(r) in AVAILABLE_DATASETS
    and (not TRAIN["only_runs"] or r in TRAIN["only_runs"])
]
if RUNS and not TRAINABLE_RUNS:
    print(
        "model: no session has labels.csv and no CMOSE import is configured: "
        "train/eval/tables are not part of `all`",
        file=sys.stderr,
    )


def run_spec(run):
    """The run as passed to training: loss, variant, audio, groups, dataset and model sizes."""
    r = RUNS[run]
    spec = {
        "loss": r["loss"],
        "variant": r.get("variant", "concat_attention"),
        "audio": bool(r.get("audio", False)),
        "dataset": run_dataset(run),
        "groups": list(r.get("groups", [])),
    }
    spec.update({**TRAIN["model"], **r.get("model", {})})
    return spec


def run_train_settings(run):
    t = {
        k: v
        for k, v in TRAIN.items()
        if k not in ("model", "threads", "eval_split", "only_runs")
    }
    t.update(RUNS[run].get("train", {}))
    return t


def dataset_inputs(wildcards):
    """Feature files and labels of every labelled session."""
    files = {
        "labels": [
            str(Path(SESSIONS_DIR) / s / "labels.csv") for s in LABELLED_SESSIONS
        ]
    }
    for key, rel in (
        ("clips", "clips.parquet"),
        ("face", "features/face.parquet"),
        ("i3d", "features/i3d.parquet"),
        ("speech", "features/clip_speech.parquet"),
        ("acoustics", "features/acoustics.parquet"),
        ("text", "features/text.parquet"),
    ):
        files[key] = [res(f"{s}/{rel}") for s in LABELLED_SESSIONS]
    if DATASET["interaction"]:
        files["interaction"] = [
            res(f"{s}/features/interaction.parquet") for s in LABELLED_SESSIONS
        ]
    return files


wildcard_constraints:
    run="|".join(re.escape(r) for r in RUNS) or "(?!x)x",


if PREDICT["model"]:
    PREDICT_MODEL = PREDICT["model"]
elif PREDICT["run"] and PREDICT["run"] not in RUNS:
    raise ValueError(f"predict.run {PREDICT['run']!r} is not a key of runs:")
elif PREDICT["run"] and run_dataset(PREDICT["run"]) in AVAILABLE_DATASETS:
    PREDICT_MODEL = res(f"models/{PREDICT['run']}/model.pt")
else:
    PREDICT_MODEL = None
    if PREDICT["run"]:
        print(
            f"model: predict.run {PREDICT['run']!r} cannot be trained (no labelled sessions for its dataset): "
            "no predictions",
            file=sys.stderr,
        )
