"""Render docs/config.md from workflow/schemas/config.schema.yaml (one source of truth for config docs).

    python -m engage.configdoc > docs/config.md
A test checks docs/config.md is up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from engage.workflow_support import RESERVED_SESSION_NAMES, SESSION_PATTERN, VIDEO_NAMES

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


#: How to write keys with ``--config`` (Snakemake's parsing, plus engage.configcheck's coercion).
CLI_FORMS = [
    "## Setting keys on the command line",
    "",
    "- Top-level keys: `--config sessions_dir=/data/in results_dir=/data/out` (several `key=value` pairs after",
    "  one `--config`; put `--config` last, after the targets).",
    "- Keys inside a block: the block as YAML flow mapping, quoted for the shell:",
    "  `--config 'clips={target_s: 8.0, min_s: 4}' 'ingest={require_audio: true}' 'train={only_runs: [a, b]}'`.",
    "  Only the keys given change; the rest of the block keeps its value from the config files.",
    "- Snakemake reads the values inside such a block as strings (`'8.0'`); they are converted to the type the",
    "  schema gives the key before validation (number, integer, `true`/`false`, `null`), so `8.0`, `8`, `5e-4`",
    "  and `true` work as in a config file. A key whose type is string keeps the text as written.",
    "- Anything longer (a `runs:` table, many keys) belongs in a file: `--configfile my.yaml` (later files",
    "  override earlier ones; `--config` overrides both).",
    "- A wrong key or value stops the workflow before any job with one line, e.g.",
    "  `ERROR config: key clips.target_s: 'ten' is not of type 'number' (...)`.",
]


def _type(spec: dict) -> str:
    t = spec.get("type", "")
    if isinstance(t, list):
        t = " | ".join(t)
    if "enum" in spec:
        t += " (" + ", ".join(json.dumps(v) for v in spec["enum"]) + ")"
    return t


def _rows(props: dict, prefix: str = "") -> list[str]:
    rows = []
    for key, spec in props.items():
        name = f"{prefix}{key}"
        default = json.dumps(spec["default"], ensure_ascii=False) if "default" in spec else ""
        desc = " ".join(str(spec.get("description", "")).split())
        if spec.get("type") == "object" and spec.get("properties"):
            rows.append(f"| `{name}` | object | | {desc} |")
            rows += _rows(spec["properties"], name + ".")
        else:
            rows.append(f"| `{name}` | {_type(spec)} | `{default}` | {desc} |")
    return rows


def render(schema_path: Path = SCHEMA) -> str:
    schema = yaml.safe_load(schema_path.read_text())
    head = [
        "# Configuration keys",
        "",
        "Generated from `workflow/schemas/config.schema.yaml` by `python -m engage.configdoc`; do not edit by hand.",
        "Set keys in `config.yaml`, a `--configfile`, or `--config key=value`. Unknown keys are rejected.",
        "",
        " ".join(str(schema.get("description", "")).split()),
        "",
        *CLI_FORMS,
        "",
        "## Session folders",
        "",
        "Every non-hidden sub-folder of `sessions_dir` is a session or is reported (one `ERROR session ...; skipped`",
        "line each, before any job): it needs a recording, "
        + ", ".join(f"`{n}`" for n in VIDEO_NAMES) + " (lower case; the first of these",
        "is used, with a warning when there are several), a name matching `" + SESSION_PATTERN + "`, and a name",
        "that is not one of the results folders shared by all sessions (any case): "
        + ", ".join(f"`{n}`" for n in sorted(RESERVED_SESSION_NAMES)) + ".",
        "`results_dir` must not be `sessions_dir`, nor lie inside it, nor contain it (symbolic links resolved).",
        "",
        "| key | type | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    return "\n".join(head + _rows(schema["properties"])) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
