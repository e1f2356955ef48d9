"""``clip_id,label`` files: one rater's file (``sessions/<s>/labels/<rater>.csv``) and ``labels.csv``.

Both are user text files (typed by hand, exported from a spreadsheet, or written by the label
server), so they are decoded by the project's one policy (:func:`engage.io.textfile.read_text_input`)
and every problem is one :class:`~engage.errors.SessionError` line naming the file and the line:
empty file, missing header, unknown label, empty or unknown clip id, a clip labelled twice.

Format: a header naming ``clip_id`` and ``label`` (any order, any case, more columns allowed), one row
per clip; ``,``, ``;`` or tab as separator (taken from the header line, as spreadsheets in some locales
write ``;``); labels HD, DE, EG, HE in any case; rater files may also say ``skip`` (the rater saw the
clip and could not decide: kept in the file so progress survives, never counted as a rating).
Blank lines are ignored and do not shift the line numbers in messages.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Iterable

from engage.errors import SessionError
from engage.io.atomic import atomic_path
from engage.io.textfile import read_text_input
from engage.model.labels import LEVELS
from engage.workflow_support import SESSION_PATTERN

#: A rater file's label for "seen, cannot decide" (not a rating).
SKIP = "skip"
#: The rater name under which review mode saves the adjudicated label.
ADJUDICATED = "adjudicated"
#: Rater names are file names: the session-id pattern (no separators, no leading dot), bounded length.
RATER_PATTERN = SESSION_PATTERN
MAX_RATER_LENGTH = 64
_RATER_RX = re.compile(RATER_PATTERN)
_SEPARATORS = (",", ";", "\t")


def is_rater_name(name: object) -> bool:
    """True when ``name`` can name a rater file (matches RATER_PATTERN, at most MAX_RATER_LENGTH)."""
    return isinstance(name, str) and 0 < len(name) <= MAX_RATER_LENGTH and _RATER_RX.fullmatch(name) is not None


def allowed_labels(allow_skip: bool) -> tuple[str, ...]:
    return LEVELS + ((SKIP,) if allow_skip else ())


def normalise_label(value: str, allow_skip: bool) -> str | None:
    """The canonical spelling of a label (``eg`` -> ``EG``, ``Skip`` -> ``skip``), None when unknown."""
    v = value.strip()
    if v.upper() in LEVELS:
        return v.upper()
    if allow_skip and v.lower() == SKIP:
        return SKIP
    return None


@dataclass
class LabelFile:
    """A parsed label file: {clip_id: label} in file order, the line of each clip, skipped unknown ids."""

    path: str
    labels: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    unknown_clips: list[str] = field(default_factory=list)

    def rated(self) -> dict[str, str]:
        """Only the real ratings (skip rows left out)."""
        return {c: lab for c, lab in self.labels.items() if lab != SKIP}


def parse_label_text(
    text: str,
    *,
    session: str | None,
    path: object,
    what: str,
    allow_skip: bool,
    known_clips: Collection[str] | None = None,
    unknown_clips: str = "error",
) -> LabelFile:
    """Parse the decoded text of a label file (see the module docstring); raise one line per problem.

    ``known_clips``: the session's clip ids; a row naming another id is an error, or with
    ``unknown_clips="skip"`` left out and listed in :attr:`LabelFile.unknown_clips`.
    """

    def fail(line: int | None, problem: str) -> None:
        raise SessionError(session, path, f"{what}: line {line}: {problem}" if line else f"{what}: {problem}")

    lines = text.split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        fail(None, "the file is empty (expected a header 'clip_id,label' and one row per clip)")
    header_line = lines[first]
    sep = next((s for s in _SEPARATORS if s in header_line), ",")
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    out = LabelFile(path=str(path))
    cols: dict[str, int] | None = None
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells):
            continue  # blank or whitespace-only line
        if cols is None:
            names = [c.lower().lstrip("\ufeff") for c in cells]
            if "clip_id" not in names or "label" not in names:
                fail(line, f"the header must name the columns clip_id and label, found {sep.join(cells)!r}")
            cols = {"clip_id": names.index("clip_id"), "label": names.index("label")}
            continue
        if len(cells) <= max(cols.values()):
            fail(line, f"expected clip_id{sep}label, found {sep.join(cells)!r}")
        cid, raw = cells[cols["clip_id"]], cells[cols["label"]]
        if not cid:
            fail(line, "empty clip_id")
        lab = normalise_label(raw, allow_skip)
        if lab is None:
            fail(line, f"label {raw!r} is not one of {'|'.join(allowed_labels(allow_skip))}")
        if cid in out.labels:
            fail(line, f"clip {cid} labelled twice (first on line {out.lines[cid]})")
        if known_clips is not None and cid not in known_clips:
            if unknown_clips != "skip":
                where = f"session {session}" if session else "the session"
                fail(line, f"clip {cid} is not a clip of {where} (clips.parquet); "
                           "set dataset.unknown_clips: skip to ignore such rows")
            out.unknown_clips.append(cid)
            out.lines[cid] = line
            continue
        out.labels[cid] = lab
        out.lines[cid] = line
    if cols is None:  # pragma: no cover - a non-blank first line always becomes the header
        fail(None, "no header")
    if not out.labels and not out.unknown_clips:
        fail(None, "has a header but no label rows")
    return out


def read_label_file(
    path: str | os.PathLike,
    *,
    session: str | None,
    what: str = "rater file",
    allow_skip: bool = True,
    known_clips: Collection[str] | None = None,
    unknown_clips: str = "error",
) -> LabelFile:
    """Read and parse a rater file (``allow_skip``) or labels.csv (``allow_skip=False``)."""
    text = read_text_input(path, session=session, what=what)
    return parse_label_text(text, session=session, path=path, what=what, allow_skip=allow_skip,
                            known_clips=known_clips, unknown_clips=unknown_clips)


def rater_name(path: str | os.PathLike) -> str:
    """The rater a file belongs to: its name without ``.csv``."""
    return Path(path).name[: -len(".csv")] if str(path).endswith(".csv") else Path(path).stem


def format_label_file(labels: dict[str, str], order: Iterable[str] = ()) -> str:
    """Text of a label file: header, then rows in ``order`` (the session's clip order), the rest sorted."""
    order = [c for c in order if c in labels]
    seen = set(order)
    rest = sorted(c for c in labels if c not in seen)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["clip_id", "label"])
    for cid in order + rest:
        w.writerow([cid, labels[cid]])
    return buf.getvalue()


def write_label_file(path: str | os.PathLike, labels: dict[str, str], order: Iterable[str] = ()) -> None:
    """Write a label file atomically and durably (fsync before the rename: a crash leaves old or new)."""
    data = format_label_file(labels, order).encode("utf-8")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
