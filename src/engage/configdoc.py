"""Render docs/config.md from workflow/schemas/config.schema.yaml (one source of truth for config docs).

    python -m engage.configdoc > docs/config.md
A test checks docs/config.md is up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


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
        "| key | type | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    return "\n".join(head + _rows(schema["properties"])) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
