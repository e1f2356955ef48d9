"""Speech turns and chat messages on one timeline, and reply detection across both.

A *turn* is a maximal run of consecutive transcript cues (ordered by start, end, index) attributed
to the same speaker; a cue without a speaker ends the run and forms an unattributed turn.
An *event* is a turn (start = first cue start, end = last cue end) or a chat message
(start = end = its time). An event of actor P is a *reply* when an earlier event (in timeline order)
of another actor Q ended at most ``window`` seconds before P's event starts (or had not ended yet:
interruptions count). Unattributed speech is "another actor" for everyone when
``unattributed_is_other`` (in classes that is often the teacher sharing a screen), else ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engage.contract import Utterance

UNATTRIBUTED = "?speech"  # actor of turns whose cues have no speaker

_WORD = re.compile(r"\S+")


def count_words(text: str | None) -> int:
    """Whitespace-separated tokens that contain at least one letter or digit."""
    if not text:
        return 0
    return sum(1 for tok in _WORD.findall(text) if any(ch.isalnum() for ch in tok))


@dataclass(frozen=True)
class Turn:
    speaker: str | None
    start: float
    end: float
    cues: tuple[int, ...]  # utterance indices


@dataclass(frozen=True)
class Event:
    """A turn or chat message of ``actor`` (person id, UNATTRIBUTED or 'chat:<name>')."""

    start: float
    end: float
    actor: str
    kind: str  # "turn" | "chat"
    ref: int  # index into the turn or message list


def build_turns(cues: list[Utterance]) -> list[Turn]:
    """Group time-ordered cues into turns (see module docstring)."""
    turns: list[Turn] = []
    run: list[Utterance] = []

    def close():
        if run:
            turns.append(Turn(run[0].speaker, run[0].start, max(c.end for c in run), tuple(c.utterance for c in run)))

    for cue in sorted(cues, key=lambda c: (c.start, c.end, c.utterance)):
        if run and (cue.speaker is None or cue.speaker != run[0].speaker):
            close()
            run = []
        run.append(cue)
    close()
    return turns


def mark_replies(events: list[Event], window: float, unattributed_is_other: bool = True) -> list[bool]:
    """For each event (in the given order) whether it is a reply; the list must be timeline-sorted.

    Keeps, per actor, the latest end time seen so far, so the check is O(events x actors).
    """
    latest_end: dict[str, float] = {}
    out = []
    for ev in events:
        if ev.actor == UNATTRIBUTED:
            out.append(False)
        else:
            limit = ev.start - window
            out.append(any(end >= limit for actor, end in latest_end.items() if actor != ev.actor))
        if ev.actor != UNATTRIBUTED or unattributed_is_other:
            prev = latest_end.get(ev.actor)
            latest_end[ev.actor] = ev.end if prev is None else max(prev, ev.end)
    return out


def sort_events(events: list[Event]) -> list[Event]:
    """Timeline order: by start, turns before chat at the same instant, then original order."""
    return sorted(events, key=lambda e: (e.start, 0 if e.kind == "turn" else 1, e.ref))
