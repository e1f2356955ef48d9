"""Who speaks when inside each clip, from the speaker attribution (shared by the acoustics and text stages).

A person's speech inside a clip is defined once, here: the transcript cues that the speakers stage
(``speakers.parquet``, copied into ``utterances.parquet``) attributes to that person (``speaker == person``) which overlap the clip window ``[start, end)``.
``clip_speech.parquet`` (the clip_speech stage) is read as a cross-check: a disagreement is logged,
never silently "fixed".
"""

from __future__ import annotations

import logging
from typing import Sequence

import numpy as np

from engage.contract import Clip, ClipSpeech, Utterance
from engage.intervals import per_window

log = logging.getLogger(__name__)


def speaker_cues(utterances: Sequence[Utterance]) -> dict[str, list[Utterance]]:
    """Cues per attributed person, in the given (time) order (unattributed cues are left out)."""
    by: dict[str, list[Utterance]] = {}
    for u in utterances:
        if u.speaker is not None:
            by.setdefault(u.speaker, []).append(u)
    return by


def cues_of_clips(clips: Sequence[Clip], by_speaker: dict[str, list[Utterance]]) -> dict[str, list[Utterance]]:
    """clip_id -> the clip person's cues that overlap the clip window by more than zero seconds, in time order.

    One sorted pass per person: linear in clips + cues (a 100,000-cue transcript must not cost clips x cues).
    """
    by_person: dict[str, list[Clip]] = {}
    for c in clips:
        by_person.setdefault(c.person, []).append(c)
    out: dict[str, list[Utterance]] = {}
    for person, cs in by_person.items():
        us = by_speaker.get(person, [])
        groups = per_window(np.array([c.start for c in cs]), np.array([c.end for c in cs]),
                            np.array([u.start for u in us]), np.array([u.end for u in us]))
        for c, g in zip(cs, groups):
            out[c.clip_id] = [us[i] for i in g]
    return out


def cross_check(clips: Sequence[Clip], has_speech: dict[tuple[str, str], bool], clip_speech: Sequence[ClipSpeech],
                session: str) -> int:
    """Log clips where our attribution and clip_speech.parquet disagree; return how many."""
    theirs_of = {(r.clip_id, r.person): r.has_speech for r in clip_speech}
    n = 0
    for c in clips:
        theirs = theirs_of.get((c.clip_id, c.person))
        ours = has_speech[(c.clip_id, c.person)]
        if theirs is not None and theirs != ours:
            n += 1
            if n <= 5:
                log.warning("session '%s': clip %s person %s: has_speech %s from the cue attribution but %s in "
                            "clip_speech.parquet", session, c.clip_id, c.person, ours, theirs)
    if n:
        log.warning("session '%s': %d clip(s) disagree with clip_speech.parquet (the cue attribution is used)", session, n)
    return n
