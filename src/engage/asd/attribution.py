"""Who said what: attribute each transcript cue to the person whose face speaks during it.

Rule (documented in docs/asd.md):

* The frames of a cue are the timeline frames ``f`` with ``start <= f / 25 < end``.
* A person is a *candidate* when they have a score (a face, and audio) on at least
  ``min_coverage`` of those frames; their evidence is the mean score over the frames that have one.
* ``speaker`` = the best candidate when its mean score is at least ``threshold`` (the same
  speaking threshold as the per-frame decision) and exceeds the runner-up's by at least ``margin``;
  otherwise null (nobody clearly speaks: off-screen speaker, overlapping speech, no face, no audio).

The VTT voice tag (``<v Name>``) is copied to ``voice`` but never used: names in live transcripts
are often wrong or generic ("Speaker 1"), and the video is the evidence.
"""

from __future__ import annotations

import json
from typing import Sequence

import numpy as np
import pyarrow as pa

from engage import TIMELINE_FPS
from engage.contract import UTTERANCES
from engage.transcript import Cue

def cue_frames(start: float, end: float) -> tuple[int, int]:
    """Frame range [a, b) of the frames whose time lies in [start, end)."""
    return int(np.ceil(start * TIMELINE_FPS - 1e-9)), int(np.ceil(end * TIMELINE_FPS - 1e-9))


def attribute_cue(start: float, end: float, scores: dict[str, np.ndarray], *, threshold: float,
                  margin: float, min_coverage: float) -> tuple[str | None, dict[str, float]]:
    """``scores``: person -> float array over all timeline frames (NaN where no score)."""
    a, b = cue_frames(start, end)
    evidence: dict[str, float] = {}
    for person, s in sorted(scores.items()):
        window = s[max(a, 0) : max(min(b, len(s)), 0)]
        if b <= a:
            continue
        have = np.isfinite(window)
        if have.sum() == 0 or have.sum() < min_coverage * (b - a):
            continue
        evidence[person] = round(float(window[have].mean()), 4)
    if not evidence:
        return None, evidence
    ranked = sorted(evidence.items(), key=lambda kv: (-kv[1], kv[0]))
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else -np.inf
    if best_score >= threshold and best_score - runner_up >= margin:
        return best, evidence
    return None, evidence


def attribute_utterances(session: str, cues: Sequence[Cue], scores: dict[str, np.ndarray], *, threshold: float,
                         margin: float, min_coverage: float) -> pa.Table:
    rows = {name: [] for name in UTTERANCES.names}
    for cue in cues:
        speaker, evidence = attribute_cue(cue.start, cue.end, scores, threshold=threshold, margin=margin,
                                          min_coverage=min_coverage)
        rows["session"].append(session)
        rows["utterance"].append(cue.index)
        rows["start"].append(cue.start)
        rows["end"].append(cue.end)
        rows["text"].append(cue.text)
        rows["voice"].append(cue.voice)
        rows["speaker"].append(speaker)
        rows["evidence"].append(json.dumps(evidence, sort_keys=True))
    return pa.Table.from_pydict(rows, schema=UTTERANCES.schema())
