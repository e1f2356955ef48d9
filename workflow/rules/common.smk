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

from engage import workflow_support
from engage.configcheck import coerce_config_strings, config_error_line
from engage.labels.sources import label_sources, merge_rule_inputs
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


# --- stage settings and input functions (the logic lives in engage.workflow_support, unit-tested) ---

ASD = config["asd"]
I3D = config["i3d"]
DATASET = config["dataset"]
TRAIN = config["train"]
RUNS = config["runs"]
PREDICT = config["predict"]
CMOSE = DATASET["cmose_release"]


def weights_path(value):
    """A weights path from the config, relative to the workflow folder (not the working directory)."""
    return workflow_support.weights_path(value, workflow.basedir)


def session_transcript(wildcards):
    """The session's transcript (transcript.vtt, else transcript.srt), or no input (fixed windows)."""
    path = session_transcript_path(SESSIONS_DIR, wildcards.session)
    return [path] if path else []


def session_transcript_ancient(wildcards):
    """The transcript as ancient input of the cues rule: only its cue times (the digest param) trigger reruns."""
    return [ancient(p) for p in session_transcript(wildcards)]


def cue_times_digest(wildcards):
    """Digest of the transcript's cue times and voice names (the cues rule reruns when it changes)."""
    from engage.cues import (
        cue_times_digest as digest,
    )  # pyarrow/webvtt: only when planning the cues rule

    return digest(session_transcript_path(SESSIONS_DIR, wildcards.session))


def asd_weights_input(wildcards):
    return workflow_support.existing_weights(ASD["weights"], workflow.basedir)


def i3d_weights_input(wildcards):
    return workflow_support.existing_weights(I3D["weights"], workflow.basedir)


def names_recogniser_path():
    """layout.names_recogniser relative to the workflow folder ("" when names are off or Tesseract only)."""
    value = config["layout"]["names_recogniser"] if config["layout"]["names"] else ""
    return weights_path(value) if value else ""


def names_recogniser_input(wildcards):
    return workflow_support.existing_weights(names_recogniser_path(), workflow.basedir)


FACE_BACKEND = workflow_support.face_backend(
    config["face"]["backend"], workflow.deployment_settings.deployment_method
)

# Which label files each session has (labels.csv, labels/<rater>.csv): read once, here; used by the
# model plan (labelled sessions) and by rule labels_merge (its inputs).
LABEL_SOURCES = label_sources(SESSIONS_DIR, SESSIONS)
for _line in (p for v in LABEL_SOURCES.values() for p in v.problems):
    print(f"WARNING {_line}", file=sys.stderr)

MODEL_PLAN = workflow_support.plan_models(
    config, SESSIONS, LABEL_SOURCES, RESULTS, workflow.basedir
)
for _note in MODEL_PLAN.notes:
    print(_note, file=sys.stderr)
LABELLED_SESSIONS = MODEL_PLAN.labelled_sessions
TRAINABLE_RUNS = MODEL_PLAN.trainable_runs
PREDICT_MODEL = MODEL_PLAN.predict_model


def run_dataset(run):
    return workflow_support.run_dataset(config, run)


def run_spec(run):
    return workflow_support.run_spec(config, run)


def run_train_settings(run):
    return workflow_support.run_train_settings(config, run)


def dataset_inputs(wildcards):
    return workflow_support.dataset_inputs(
        LABELLED_SESSIONS, RESULTS, DATASET["interaction"]
    )


wildcard_constraints:
    run="|".join(re.escape(r) for r in RUNS) or "(?!x)x",
