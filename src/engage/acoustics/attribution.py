"""Who speaks when inside each clip, from the asd stage's tables (shared by acoustics and text).

A person's speech inside a clip is defined once, here: the parts of the transcript cues that
``utterances.parquet`` attributes to that person (``speaker == person``) which overlap the clip
window ``[start, end)``. ``clip_speech.parquet`` (written by the asd stage from the same rule) is
read as a cross-check: a disagreement is logged, never silently "fixed".
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Iterable, Sequence


from engage.errors import SessionError
from engage.io.parquet import read_required

log = logging.getLogger(__name__)

CLIP_COLUMNS = ("clip_id", "person", "window", "start", "end")
UTTERANCE_COLUMNS = ("utterance", "start", "end", "text", "speaker")
CLIP_SPEECH_COLUMNS = ("clip_id", "person", "has_speech")


@dataclass(frozen=True)
class Clip:
    clip_id: str
    person: str
    window: int
    start: float
    end: float


@dataclass(frozen=True)
class Utterance:
    """One transcript cue with its attributed speaker (None when nobody was attributed)."""

    utterance: int
    start: float
    end: float
    text: str
    speaker: str | None


def _read(path: str | os.PathLike, columns: Sequence[str], session: str, what: str) -> list[dict]:
    return read_required(path, columns, session=session, what=what).to_pylist()


def read_clips(path: str | os.PathLike, session: str) -> list[Clip]:
    """Clips sorted by (clip_id, person); a window with end <= start is bad input."""
    clips = []
    for r in _read(path, CLIP_COLUMNS, session, "clips table"):
        if r["clip_id"] is None or r["person"] is None or r["start"] is None or r["end"] is None:
            raise SessionError(session, path, "clips table has null clip_id/person/start/end")
        if not r["end"] > r["start"]:
            raise SessionError(session, path, f"clip {r['clip_id']} has end <= start")
        clips.append(Clip(str(r["clip_id"]), str(r["person"]), int(r["window"] or 0), float(r["start"]), float(r["end"])))
    clips.sort(key=lambda c: (c.clip_id, c.person))
    return clips


def read_utterances(path: str | os.PathLike, session: str) -> list[Utterance]:
    """Cues sorted by (start, end, utterance); null text reads as ''."""
    utts = []
    for r in _read(path, UTTERANCE_COLUMNS, session, "utterances table"):
        if r["start"] is None or r["end"] is None or r["utterance"] is None:
            raise SessionError(session, path, "utterances table has null utterance/start/end")
        utts.append(Utterance(int(r["utterance"]), float(r["start"]), float(r["end"]), r["text"] or "",
                              None if r["speaker"] is None else str(r["speaker"])))
    utts.sort(key=lambda u: (u.start, u.end, u.utterance))
    return utts


def read_clip_speech(path: str | os.PathLike, session: str) -> dict[tuple[str, str], bool]:
    """``{(clip_id, person): has_speech}`` from the asd stage (used to cross-check only)."""
    return {(str(r["clip_id"]), str(r["person"])): bool(r["has_speech"])
            for r in _read(path, CLIP_SPEECH_COLUMNS, session, "clip speech table")}


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def merge_intervals(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Union of intervals (overlapping or touching ones merge), sorted by start."""
    out: list[list[float]] = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def speaker_cues(utterances: Sequence[Utterance]) -> dict[str, list[Utterance]]:
    """Cues per attributed person, in time order (unattributed cues are left out)."""
    by: dict[str, list[Utterance]] = {}
    for u in utterances:
        if u.speaker is not None:
            by.setdefault(u.speaker, []).append(u)
    return by


def clip_cues(clip: Clip, cues: Sequence[Utterance]) -> list[Utterance]:
    """The person's cues that overlap the clip window by more than zero seconds, in time order."""
    return [u for u in cues if overlap(u.start, u.end, clip.start, clip.end) > 0.0]


def clip_intervals(clip: Clip, speaker_segments: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The person's (merged) speech intervals clipped to the clip window."""
    out = []
    for a, b in speaker_segments:
        lo, hi = max(a, clip.start), min(b, clip.end)
        if hi > lo:
            out.append((lo, hi))
    return out


def cross_check(clips: Sequence[Clip], has_speech: dict[tuple[str, str], bool],
                asd_has_speech: dict[tuple[str, str], bool], session: str) -> int:
    """Log clips where our attribution and clip_speech.parquet disagree; return how many."""
    n = 0
    for c in clips:
        theirs = asd_has_speech.get((c.clip_id, c.person))
        ours = has_speech[(c.clip_id, c.person)]
        if theirs is not None and theirs != ours:
            n += 1
            if n <= 5:
                log.warning("session '%s': clip %s person %s: has_speech %s from utterances.parquet but %s in "
                            "clip_speech.parquet", session, c.clip_id, c.person, ours, theirs)
    if n:
        log.warning("session '%s': %d clip(s) disagree with clip_speech.parquet (utterances.parquet is used)", session, n)
    return n
