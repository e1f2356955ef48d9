"""Make ``--config`` values fit the config schema, and say in one line what does not.

Snakemake parses a top-level ``--config key=8.0`` as a number, but a nested value such as
``--config 'clips={target_s: 8.0}'`` is read by YAML's base loader, which keeps every scalar a
string: the schema then refuses ``'8.0'`` as "not of type 'number'". :func:`coerce_config_strings`
turns such strings into the number, integer, boolean or null the schema asks for (only where the
schema does not also accept a string), before validation. :func:`config_error_line` turns a
validation failure into one readable line instead of Snakemake's schema dump.
"""

from __future__ import annotations

import math
import re
from typing import Any

_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BOOLS = {"true": True, "false": False}
_NULLS = {"null", "~", "none", ""}
#: Longest message kept (a whole config block quoted in the line is not readable).
_MAX_CHARS = 160


def _types(schema: dict) -> set[str]:
    t = schema.get("type", ())
    return {t} if isinstance(t, str) else set(t)


def _scalar(value: str, types: set[str]) -> Any:
    """The string as the first non-string type of ``types`` it spells, else unchanged."""
    text = value.strip()
    if "string" in types:
        return value
    if "integer" in types and _INT.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text):
        number = float(text)
        if math.isfinite(number):
            return int(text) if _INT.fullmatch(text) else number
    if "boolean" in types and text.lower() in _BOOLS:
        return _BOOLS[text.lower()]
    if "null" in types and text.lower() in _NULLS:
        return None
    return value


def coerce_config_strings(value: Any, schema: dict) -> Any:
    """A copy of ``value`` with strings converted where ``schema`` asks for a number/integer/boolean/null.

    Objects are walked through ``properties`` and ``additionalProperties``, arrays through ``items``;
    values the schema does not describe are left as they are (validation then reports them).
    """
    if isinstance(value, str):
        return _scalar(value, _types(schema))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out = {}
        for key, item in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            out[key] = coerce_config_strings(item, sub) if sub else item
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [coerce_config_strings(item, schema["items"]) for item in value]
    return value


def config_error_line(config: dict, schema: dict) -> str | None:
    """One line naming the first bad key, its value and what the schema wants (None if ``config`` is valid)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(schema).iter_errors(config))
    if error is None:
        return None
    key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    message = " ".join(error.message.split())
    if len(message) > _MAX_CHARS:
        message = message[:_MAX_CHARS] + "..."
    return f"key {key}: {message} (keys, types and the --config forms: docs/config.md)"
