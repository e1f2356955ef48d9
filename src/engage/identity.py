"""One student across sessions: a stable identity key per person (tile) of a session.

Why: tile ids (``p00``, ``p01``, ...) restart in every session, so without a key that survives the
session a student who attends three sessions is three persons: the dataset split could put the same
face in train and test, and nobody can follow a student through a course. The key is, per person:

1. ``key`` of the person's participants.csv rows (the user's explicit statement, e.g. a student number);
2. else, with ``from_names``, the normalised display name (:func:`engage.naming.normalize_name`):
   the participants.csv ``name`` (explicit), else the tile name of layout.json when every confident
   reading of that person (``name_confidence >= min_name_confidence``; a name without a confidence
   was given by a layout override and counts as confident) is the same name;
3. else ``<session>/<person>`` (:func:`session_identity`: the session-local key of earlier versions).

Two persons of one session are never one student: when keys clash inside a session (two tiles
that read the same name, one csv key on two persons) those persons fall back to
``<session>/<person>`` and a warning is logged. The key is written as ``identity`` in clips.parquet
and copied by every per-clip table downstream (docs/data-contract.md).

participants.csv is read here (one reader for the clips and interaction stages): header
``person,name[,key]``, several rows per person allowed (a renamed participant).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple

from engage.errors import SessionError
from engage.io.textfile import read_text_input
from engage.naming import normalize_name

log = logging.getLogger(__name__)

#: Default of ``identity.min_name_confidence``: OCR name confidence (0-1) a tile name needs to be an identity.
MIN_NAME_CONFIDENCE = 0.8


class Participant(NamedTuple):
    """One participants.csv row: tile id, display name ('' when only a key is given), identity key or None."""

    person: str
    name: str
    key: str | None = None


def _clean_key(key: str) -> str:
    """A csv key as one clean line: NFC, whitespace collapsed, control characters refused (by the caller)."""
    return " ".join(unicodedata.normalize("NFC", key).split())


def read_participants(path: str | os.PathLike, session: str | None = None) -> list[Participant]:
    """Rows of participants.csv; header ``person,name`` required, ``key`` optional.

    A row needs a person and a name or a key. A key must be a printable string; two different keys
    for one person contradict each other (bad input: one SessionError line).
    """
    path = Path(path)
    text = read_text_input(path, session=session, what="participants file")
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "person" not in fields or "name" not in fields:
        raise SessionError(session, path, f"participants file needs a header 'person,name' (found {reader.fieldnames})")
    reader.fieldnames = fields
    rows: list[Participant] = []
    keys: dict[str, str] = {}
    for no, row in enumerate(reader, 2):
        person = (row.get("person") or "").strip()
        name = (row.get("name") or "").strip()
        key = _clean_key(row.get("key") or "") or None
        if not person and not name and not key:
            continue
        if not person or not (name or key):
            raise SessionError(session, path, f"line {no}: both person and name are required")
        if key is not None:
            if any(unicodedata.category(ch)[0] == "C" for ch in key):
                raise SessionError(session, path, f"line {no}: key {key!r} has control characters")
            if keys.setdefault(person, key) != key:
                raise SessionError(session, path, f"line {no}: person {person} has two keys ({keys[person]!r}, {key!r})")
        rows.append(Participant(person, name, key))
    return rows


def session_identity(session: str, person: str) -> str:
    """The session-local identity ``<session>/<person>``: what a person is without a cross-session key."""
    return f"{session}/{person}"


@dataclass(frozen=True)
class TileName:
    """A name the layout read on one of the person's tiles (one per span), with its OCR confidence."""

    person: str
    name: str
    confidence: float | None


@dataclass(frozen=True)
class Identities:
    """Per person of a session: the identity key and where it came from.

    ``source``: ``participants key``, ``participants name``, ``layout name`` or ``session``.
    """

    identity: Mapping[str, str]
    source: Mapping[str, str]

    def meta(self) -> dict[str, dict[str, str]]:
        """For the Parquet metadata: {person: {identity, source}} in person order."""
        return {p: {"identity": self.identity[p], "source": self.source[p]} for p in sorted(self.identity)}


def layout_tile_names(layout) -> list[TileName]:
    """The named tiles of a layout.json (:class:`engage.contract.Layout`), span by span."""
    return [TileName(t.id, t.name, t.name_confidence) for s in layout.spans for t in s.tiles if t.name]


def _layout_name(person: str, names: list[TileName], min_confidence: float, session: str) -> str | None:
    """The one normalised name all confident readings of a person agree on, else None."""
    confident = {normalize_name(n.name) for n in names
                 if n.name and (n.confidence is None or n.confidence >= min_confidence)}
    confident.discard("")
    if len(confident) > 1:
        log.warning("session '%s': tile %s reads several names (%s): identity %s", session, person,
                    ", ".join(sorted(confident)), session_identity(session, person))
        return None
    return next(iter(confident), None)


def resolve_identities(
    session: str,
    persons: Iterable[str],
    *,
    participants: list[Participant] = (),  # type: ignore[assignment]
    tile_names: list[TileName] = (),  # type: ignore[assignment]
    from_names: bool = True,
    min_name_confidence: float = MIN_NAME_CONFIDENCE,
) -> Identities:
    """The identity of every person of ``persons`` (see the module doc for the order of the sources).

    Keys shared by two persons of this session (or equal to another person's ``<session>/<person>``)
    fall back to ``<session>/<person>`` for all of them, with a warning: one student is never two tiles
    of one session, and a wrong merge is worse than a missed one.
    """
    persons = sorted(set(persons))
    csv_key: dict[str, str] = {}
    csv_name: dict[str, str] = {}
    for row in participants:
        if row.key:
            csv_key.setdefault(row.person, row.key)
        if row.name and normalize_name(row.name):
            csv_name.setdefault(row.person, normalize_name(row.name))
    by_tile: dict[str, list[TileName]] = {}
    for n in tile_names:
        by_tile.setdefault(n.person, []).append(n)

    ident: dict[str, str] = {}
    source: dict[str, str] = {}
    for p in persons:
        layout_name = _layout_name(p, by_tile.get(p, []), min_name_confidence, session) if from_names else None
        for src, key in (("participants key", csv_key.get(p)),
                         ("participants name", csv_name.get(p) if from_names else None),
                         ("layout name", layout_name),
                         ("session", session_identity(session, p))):
            if key:
                ident[p], source[p] = key, src
                break

    while True:  # a fallback can meet another person's explicit key: repeat until every key is unique
        owners: dict[str, list[str]] = {}
        for p in persons:
            owners.setdefault(ident[p], []).append(p)
        clash = sorted(p for ps in owners.values() if len(ps) > 1 for p in ps if source[p] != "session")
        if not clash:
            break
        for key, ps in sorted(owners.items()):
            if len(ps) > 1:
                log.warning("session '%s': identity %r would be shared by %s (%s); they keep session identities",
                            session, key, ", ".join(ps), "/".join(sorted({source[p] for p in ps})))
        for p in clash:
            ident[p], source[p] = session_identity(session, p), "session"
    return Identities(ident, source)
