"""Display names as keys: one normalisation for every stage that compares names.

The layout's OCR labels, transcript voice names, chat senders and participants.csv rows are
compared after :func:`normalize_name`, so case, spacing, emoji, typographic apostrophes and
role tags such as ``(Host)`` or pronouns ``(she/her)`` do not matter.
"""

from __future__ import annotations

import re
import unicodedata

_ROLE_TAG = re.compile(r"\s*\((?:host|co-?host|me|guest|organizer|organiser|presenter"
                       r"|(?:she|he|they|ze|xe|any)(?:\s*/\s*[a-z]+)+)\)\s*$", re.I)  # roles; pronouns (she/her)
_VARIATION = {chr(c) for c in range(0xFE00, 0xFE10)} | {"\u200d", "\u200c"}


def strip_role_tags(name: str | None) -> str:
    """The display name without what is not the name ('' if nothing is left), case kept.

    NFKC (full-width letters, ligatures), drop symbols/emoji (Unicode categories S*), control and
    format characters (C*, e.g. zero-width joiners), enclosing marks and variation selectors,
    drop trailing role tags like ``(Host)`` and pronouns like ``(she/her)``, collapse whitespace.
    """
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", str(name))
    s = "".join(
        ch for ch in s
        if ch not in _VARIATION and unicodedata.category(ch)[0] not in ("S", "C") and unicodedata.category(ch) != "Me"
    )
    s = " ".join(s.split())
    while True:
        t = _ROLE_TAG.sub("", s)
        if t == s:
            break
        s = t
    return " ".join(s.split())


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def normalize_name(name: str | None) -> str:
    """Case-, whitespace- and emoji-insensitive key of a display name ('' if nothing is left):
    :func:`strip_role_tags`, casefolded, typographic apostrophes as ``'`` ("O’Brien" = "O'Brien")."""
    return " ".join(strip_role_tags(name).casefold().translate(_APOSTROPHES).split())


def unique_names(keys: list[str | None]) -> list[str | None]:
    """The name keys of one span's tiles, None where a key is empty or on more than one tile.

    Why: a name is evidence for one person only where it is on one tile of the span (two tiles
    "iPad" say nothing); the layout's ids and the speakers stage both apply this rule.
    """
    return [k if k and keys.count(k) == 1 else None for k in keys]
