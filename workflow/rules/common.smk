# Shared helpers: config validation, session discovery, path helpers, final targets.
import os
import re
import sys
from pathlib import Path

from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

# Library code lives in src/; scripts import it from there (also inside containers).
SRC_DIR = str(Path(workflow.basedir) / "src")
if SRC_DIR not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (SRC_DIR, os.environ.get("PYTHONPATH", "")) if p
    )
if SRC_DIR not in sys.path:
    sys.path.insert(0, SRC_DIR)

from engage.workflow_support import (
    SESSION_PATTERN,
    discover_sessions,
    session_video_path,
)

RESULTS = config["results_dir"].rstrip("/") or "."
SESSIONS_DIR = config["sessions_dir"]
SESSION_RE = SESSION_PATTERN

SESSIONS, REJECTED_SESSIONS = discover_sessions(SESSIONS_DIR, SESSION_RE)
for _name, _why in REJECTED_SESSIONS:
    print(
        f"ERROR session {_name!r} in {SESSIONS_DIR}: {_why}; skipped", file=sys.stderr
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
