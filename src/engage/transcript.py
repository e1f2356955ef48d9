"""Read time-stamped transcripts (WebVTT or SRT, e.g. a Zoom live-transcript export) into cues.

Parsing is done by webvtt-py (a maintained WebVTT/SRT parser); this module adds what the pipeline
needs on top: exact millisecond times, speaker names (``<v Name>`` tags, or "Name: " prefixes when most
cues have one) kept separately from the text, cues sorted by
time with stable 1-based indices, character references (``&amp;``) decoded, WebVTT files written
with SRT-style comma decimals read with a warning, and one-line errors for empty or malformed files.
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError

from engage.errors import SessionError
from engage.io.textfile import read_text_input

log = logging.getLogger(__name__)

_TS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$")
_TAG = re.compile(r"<[^>]*>")
#: Character references of cue text (WebVTT: ``&amp;``, ``&lt;``, ``&nbsp;``, ``&#39;`` ...). Only the
#: terminated form: "R&D" or "AT&T" stay as written.
_CHAR_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: A WebVTT timing line written with SRT's comma decimals ("00:00:01,000 --> 00:00:02,500").
_COMMA_TIMING = re.compile(r"^(\s*(?:\d+:)?\d{1,2}:\d{2}),(\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2})[.,](\d{1,3})")
#: "Jane Doe: text" (Zoom's audio-transcript VTT and many SRT exports name the speaker this way).
_SPEAKER_PREFIX = re.compile(r"^([^\W\d_][\w.'’()\- ]{0,47}?)\s*:\s+(\S.*)$")
#: A file's cues are read as "Name: text" only when at least this share of them look like that
#: (a stray "Note: ..." in an unlabelled transcript stays text).
SPEAKER_PREFIX_SHARE = 0.6


def split_speaker_prefixes(cues: list[tuple[float, float, str, str | None]]) -> list[tuple[float, float, str, str | None]]:
    """Move a leading "Name: " of each cue into its voice when most cues of the file have one.

    Why: the name must not reach the text features (BERT embeddings of "Jane Doe: yes" differ from
    "yes", and names are personal data); it is kept like a VTT ``<v Name>`` tag, as untrusted
    metadata (the video decides who speaks). Names have at most 5 words.
    """
    def split(body: str):
        m = _SPEAKER_PREFIX.match(body)
        return (m.group(1).strip(), m.group(2)) if m and len(m.group(1).split()) <= 5 else None

    hits = [split(c[2]) if c[3] is None else None for c in cues]
    n_untagged = sum(c[3] is None for c in cues)
    if n_untagged < 2 or sum(h is not None for h in hits) < SPEAKER_PREFIX_SHARE * n_untagged:
        return cues
    return [(c[0], c[1], h[1], h[0]) if h else c for c, h in zip(cues, hits)]


@dataclass(frozen=True)
class Cue:
    """One utterance: ``index`` is 1-based in time order; ``voice`` is the speaker name the file gives (VTT
    ``<v Name>`` tag or a "Name: " prefix; untrusted, never used to attribute speech)."""

    index: int
    start: float
    end: float
    text: str
    voice: str | None = None


def decode_char_refs(text: str) -> str:
    """Decode ``&amp;``-style character references (WebVTT escapes ``&``, ``<`` and ``>`` this way; many
    SRT exporters do too). Non-breaking spaces become plain spaces."""
    return _CHAR_REF.sub(lambda m: html.unescape(m.group(0)), text).replace("\u00a0", " ")


def _vtt_comma_decimals(text: str, session: str | None, path: Path) -> str:
    """WebVTT requires '.' before the milliseconds; SRT uses ','. Files converted by renaming an
    .srt keep the commas and webvtt-py would skip every cue: read them as '.' and say so."""
    lines = text.split("\n")
    fixed = [_COMMA_TIMING.sub(r"\1.\2.\3", line) if "-->" in line else line for line in lines]
    n = sum(a != b for a, b in zip(lines, fixed))
    if n:
        log.warning("session '%s': %s: WebVTT with SRT-style comma decimals in %d cue time(s) "
                    "(e.g. %r); read as '.'", session, path, n, next(a for a, b in zip(lines, fixed) if a != b).strip())
    return "\n".join(fixed)


def parse_timestamp(ts: str) -> float:
    """'01:02:03.450' / '02:03.450' / '00:00:01,5' -> seconds (float, millisecond precision)."""
    m = _TS.match(ts.strip())
    if not m:
        raise ValueError(f"bad timestamp {ts!r}")
    h, mnt, s, frac = m.groups()
    ms = int(frac.ljust(3, "0"))
    return round(int(h or 0) * 3600 + int(mnt) * 60 + int(s) + ms / 1000.0, 3)


def read_transcript(path: str | os.PathLike, session: str | None = None) -> list[Cue]:
    """Return the cues of a WebVTT or SRT file sorted by (start, end).

    Raises :class:`SessionError` when the file is empty, malformed, or has no timed cue.
    Cues with end <= start are dropped with a warning; overlapping cues are kept (the ASD
    attribution decides who speaks).
    """
    path = Path(path)
    if not path.exists():
        raise SessionError(session, path, "transcript not found")
    text = read_text_input(path, session=session, what="transcript")
    if not text.strip():
        raise SessionError(session, path, "transcript is empty")
    is_vtt = text.lstrip().startswith("WEBVTT")
    if is_vtt:
        text = _vtt_comma_decimals(text, session, path)
    try:
        if is_vtt:
            captions = webvtt.from_string(text).captions
        else:
            lines = text.split("\n")
            if not webvtt.srt.is_valid_content(lines):
                raise MalformedFileError("neither WebVTT (no WEBVTT header) nor SRT")
            captions = webvtt.srt.parse(lines)
    except (MalformedFileError, webvtt.srt.MalformedFileError, ValueError, IndexError) as err:
        kind = "WebVTT" if is_vtt else "SRT"
        raise SessionError(session, path, f"malformed {kind} transcript ({err})") from None
    cues: list[tuple[float, float, str, str | None]] = []
    for c in captions:
        try:
            start, end = parse_timestamp(c.start), parse_timestamp(c.end)
        except ValueError as err:
            raise SessionError(session, path, f"malformed transcript cue time ({err})") from None
        if end <= start:
            log.warning("session '%s': %s cue %s-%s has end <= start; dropped", session, path, c.start, c.end)
            continue
        voice = decode_char_refs(getattr(c, "voice", None) or "") or None
        body = " ".join(decode_char_refs(_TAG.sub("", c.raw_text)).split())
        cues.append((start, end, body, voice))
    n_timing_lines = sum("-->" in line for line in text.split("\n"))
    if n_timing_lines > len(captions):
        # webvtt-py skips cues whose timing line it cannot parse; say so instead of losing them silently.
        log.warning("session '%s': %s: %d cue(s) with an unreadable timing line skipped", session, path,
                    n_timing_lines - len(captions))
    if not cues:
        raise SessionError(session, path, "transcript has no timed cues (not WebVTT/SRT?)")
    cues = split_speaker_prefixes(cues)
    cues.sort(key=lambda t: (t[0], t[1]))
    return [Cue(i + 1, s, e, t, v) for i, (s, e, t, v) in enumerate(cues)]
