"""Which label files a session has, decided once when the workflow is parsed (workflow/rules/common.smk).

A session is *labelled* (it feeds the dataset, and train/eval join ``all``) when it has

* ``labels.csv`` with at least one row: the explicit labels, used as they are (override); or
* rater files ``labels/<rater>.csv`` (one per rater, ``labels/adjudicated.csv`` from review mode).

Parse time only looks at names and counts rows; the files are validated by the ``labels_merge`` rule,
so a broken file fails that session's job with one line instead of the whole workflow. An empty or
header-only ``labels.csv`` is reported here and does not make the session labelled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from engage.io.textfile import read_text_input
from engage.errors import SessionError
from engage.labels.files import ADJUDICATED, is_rater_name


@dataclass
class LabelSources:
    """The label files of one session (paths as strings, rater files sorted by rater name)."""

    session: str
    override: str | None = None
    raters: list[str] = field(default_factory=list)
    adjudicated: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def labelled(self) -> bool:
        return bool(self.override or self.raters or self.adjudicated)

    def files(self) -> list[str]:
        return ([self.override] if self.override else []) + self.raters + ([self.adjudicated] if self.adjudicated else [])


def data_rows(path: str | os.PathLike, session: str) -> int | None:
    """Non-blank lines after the header line (None when the file cannot be decoded: the rule says why)."""
    try:
        text = read_text_input(path, session=session, what="labels file")
    except SessionError:
        return None
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return max(len(lines) - 1, 0)


def session_label_sources(sessions_dir: str | os.PathLike, session: str) -> LabelSources:
    """Find labels.csv and labels/*.csv of ``session``; problems are messages for the user (stderr)."""
    d = Path(sessions_dir) / session
    src = LabelSources(session)
    override = d / "labels.csv"
    if override.is_file():
        n = data_rows(override, session)
        if n == 0:
            src.problems.append(f"session '{session}' ({override}): labels.csv has no label rows (empty or header "
                                "only); ignored")
        else:
            src.override = str(override)
    folder = d / "labels"
    if folder.is_dir():
        for p in sorted(folder.iterdir()):
            if p.name.startswith(".") or not p.name.endswith(".csv"):
                continue  # hidden files include the label server's temporary files
            rater = p.name[: -len(".csv")]
            if not p.is_file():
                continue
            if not is_rater_name(rater):
                src.problems.append(f"session '{session}' ({p}): rater file name not allowed (rater names match "
                                    "[A-Za-z0-9_][A-Za-z0-9._-]*, at most 64 characters); ignored")
            elif rater == ADJUDICATED:
                src.adjudicated = str(p)
            else:
                src.raters.append(str(p))
    return src


def label_sources(sessions_dir: str | os.PathLike, sessions: list[str]) -> dict[str, LabelSources]:
    """{session: LabelSources} for every session."""
    return {s: session_label_sources(sessions_dir, s) for s in sessions}


def merge_rule_inputs(sources: dict[str, LabelSources], session: str,
                      clips_parquet: str) -> dict[str, str | list[str]]:
    """Named inputs of the labels_merge rule for ``session`` (empty lists for absent label files)."""
    src = sources.get(session) or LabelSources(session)
    return {"clips": clips_parquet, "override": [src.override] if src.override else [], "raters": list(src.raters),
            "adjudicated": [src.adjudicated] if src.adjudicated else []}
