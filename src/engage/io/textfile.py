"""One decoding policy for every text file a user puts into a session folder.

Transcripts, chat exports, participants.csv, labels.csv, rater files and layout.json overrides are
written by many tools (Zoom, Teams, Excel on Windows, text editors), so they arrive as UTF-8 with
or without a byte-order mark, UTF-16 with or without a BOM, or a Windows code page. Every reader
goes through :func:`read_text_input` so the same bytes are accepted (or refused) the same way
everywhere:

1. A BOM decides: UTF-8, UTF-16 LE/BE or UTF-32 LE/BE; the BOM is dropped.
2. Otherwise strict UTF-8 (ASCII is UTF-8) when the file holds no NUL byte (ASCII text in UTF-16 is
   valid UTF-8 too, full of NULs: it must not be taken for UTF-8).
3. Otherwise UTF-16 without a BOM when the NUL bytes say so (text of mostly Latin characters has a
   NUL in every other byte); decoded with a warning naming the byte order.
4. Otherwise cp1252 (what Excel and Notepad on Windows write), with a warning; the few bytes
   cp1252 leaves undefined become U+FFFD.

A file that cannot be read, or that holds NUL bytes in no recognisable pattern (a binary file under
a text name), raises one :class:`~engage.errors.SessionError` line naming the file.
"""

from __future__ import annotations

import codecs
import logging
import os
from pathlib import Path

from engage.errors import SessionError

log = logging.getLogger(__name__)

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _bomless_utf16(raw: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the NUL bytes sit in every other position, else None."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    even, odd = raw[0::2], raw[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if nul_odd > 0.3 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05:
        return "utf-16-be"
    return None


def decode_text_input(raw: bytes, *, session: str | None, path: object, what: str) -> str:
    """Decode the bytes of a user text file by the module's policy (see the module docstring)."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(enc)
            except UnicodeDecodeError as err:
                raise SessionError(session, path, f"{what} starts with a {enc} byte-order mark but is not valid {enc} "
                                                  f"(byte {err.start + len(bom)})") from None
    if b"\x00" not in raw:  # text never holds NUL, but ASCII in UTF-16 is valid (NUL-laden) UTF-8
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    enc = _bomless_utf16(raw)
    if enc:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            text = None
        if text is not None:
            log.warning("session '%s': %s (%s) is UTF-16 without a byte-order mark; decoded as %s",
                        session, what, path, enc)
            return text
    if b"\x00" in raw:
        raise SessionError(session, path, f"{what} is not a text file (NUL bytes in no UTF-16 pattern; "
                                          "expected UTF-8, UTF-16 or cp1252 text: save it as UTF-8)")
    log.warning("session '%s': %s (%s) is not UTF-8; decoded as cp1252 (Windows) with replacement", session, what, path)
    return raw.decode("cp1252", errors="replace")


def read_text_input(path: str | os.PathLike, *, session: str | None, what: str) -> str:
    """Read and decode a user text file; universal newlines (``\\r\\n`` and ``\\r`` become ``\\n``)."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SessionError(session, path, f"{what} not found") from None
    except OSError as err:
        raise SessionError(session, path, f"cannot read {what} ({err.strerror or err})") from None
    text = decode_text_input(raw, session=session, path=path, what=what)
    return text.replace("\r\n", "\n").replace("\r", "\n")
