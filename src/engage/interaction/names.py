"""Match chat display names to persons (tile ids ``p00``, ``p01``, ...).

Names come from ``sessions/<s>/participants.csv`` (``person,name[,key]``, read by
:func:`engage.identity.read_participants`; several rows per person allowed
for renamed participants) and from the tile name labels in ``layout.json`` (``name`` not null).
Both are compared after :func:`engage.naming.normalize_name`, so case, spacing, emoji and Zoom role tags such as
``(Host)`` do not matter. participants.csv is the user's explicit statement and wins over a layout
label; a normalised name that points to two persons is ambiguous and left unmatched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from engage.naming import normalize_name

log = logging.getLogger(__name__)

@dataclass
class NameIndex:
    """Normalised name -> person; ``ambiguous`` keys point to more than one person."""

    by_key: dict[str, str] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)  # key -> "participants" | "layout"
    ambiguous: set[str] = field(default_factory=set)

    def lookup(self, name: str) -> str | None:
        key = normalize_name(name)
        if not key or key in self.ambiguous:
            return None
        return self.by_key.get(key)


def build_name_index(participants: list[tuple[str, str]], layout: list[tuple[str, str]]) -> NameIndex:
    """Index names from participants.csv (first) and layout labels (only names the csv lacks).

    ``participants``: (person, name) pairs or ``engage.identity.Participant`` rows (key ignored).
    """
    idx = NameIndex()
    for source, rows in (("participants", participants), ("layout", layout)):
        seen_here: dict[str, set[str]] = {}
        for person, name, *_ in rows:
            key = normalize_name(name)
            if key:
                seen_here.setdefault(key, set()).add(person)
        for key, persons in sorted(seen_here.items()):
            if key in idx.by_key or key in idx.ambiguous:
                continue  # an earlier (more explicit) source decided this name
            if len(persons) > 1:
                idx.ambiguous.add(key)
                log.warning("name %r belongs to several persons in %s (%s): left unmatched", key, source, sorted(persons))
                continue
            idx.by_key[key] = next(iter(persons))
            idx.source[key] = source
    return idx
