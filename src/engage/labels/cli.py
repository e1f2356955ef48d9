"""What ``engage labels agree`` and ``engage labels serve`` do (the argument parser is in engage.cli)."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from engage.errors import SessionError
from engage.labels.agreement import agreement
from engage.labels.files import read_label_file, rater_name

#: Used when no config file gives the value (the schema defaults of the same keys).
DEFAULTS = {"sessions_dir": "examples/sessions", "results_dir": "results", "port": 8765, "kappa_weights": "quadratic"}


def load_config(path: str | None) -> dict:
    """The workflow config file when it exists (relative paths in it are taken from the current folder)."""
    if not path or not Path(path).is_file():
        return {}
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return doc if isinstance(doc, dict) else {}


def agree(files: list[str], kappa_weights: str | None = None, configfile: str | None = "config.yaml") -> dict:
    """Agreement of rater files; files with the same name are one rater (over several sessions)."""
    weights = kappa_weights or load_config(configfile).get("labels", {}).get("kappa_weights") or DEFAULTS["kappa_weights"]
    ratings: dict[str, dict[str, str]] = {}
    seen: dict[tuple[str, str], str] = {}
    for f in files:
        name = rater_name(f)
        labels = read_label_file(f, session=None).rated()
        for c in labels:
            if (name, c) in seen:
                raise SessionError(None, f, f"clip {c} of rater {name} is also in {seen[(name, c)]}")
            seen[(name, c)] = f
        ratings.setdefault(name, {}).update(labels)
    doc = agreement(ratings, weights)
    doc["files"] = list(files)
    return doc


def serve_from_config(args: argparse.Namespace) -> int:
    from engage.labels.server import serve

    cfg = load_config(args.configfile)
    port = args.port if args.port is not None else cfg.get("labels", {}).get("port", DEFAULTS["port"])
    return serve(sessions_dir=args.sessions_dir or cfg.get("sessions_dir", DEFAULTS["sessions_dir"]),
                 results_dir=args.results_dir or cfg.get("results_dir", DEFAULTS["results_dir"]),
                 port=int(port), rater=args.rater, session=args.session, review=args.review)
