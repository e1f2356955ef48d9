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


def _cue_evidence(starts: np.ndarray, ends: np.ndarray, scores: dict[str, np.ndarray], min_coverage: float
                  ) -> tuple[list[str], np.ndarray]:
    """(persons sorted, mean score per person and cue rounded to 4 decimals, NaN where the person is no
    candidate), vectorised.

    Per person one prefix sum of the scores and one of the frames that have a score, so each cue costs
    two lookups per person whatever its length: linear in cues, no Python loop over them.
    """
    a = np.ceil(np.asarray(starts, np.float64) * TIMELINE_FPS - 1e-9).astype(np.int64)
    b = np.ceil(np.asarray(ends, np.float64) * TIMELINE_FPS - 1e-9).astype(np.int64)
    persons = sorted(scores)
    mean = np.full((len(persons), a.size), np.nan)
    for k, person in enumerate(persons):
        s = np.asarray(scores[person], np.float64)
        have = np.isfinite(s)
        total = np.concatenate([[0.0], np.cumsum(np.where(have, s, 0.0))])
        count = np.concatenate([[0], np.cumsum(have)])
        lo, hi = np.clip(a, 0, s.size), np.clip(b, 0, s.size)
        n = count[np.maximum(hi, lo)] - count[lo]
        ok = (b > a) & (n > 0) & (n >= min_coverage * (b - a))
        mean[k, ok] = (total[np.maximum(hi, lo)] - total[lo])[ok] / n[ok]
    # the evidence as recorded (Python's correctly rounded round: the JSON and the decision agree)
    have = np.nonzero(~np.isnan(mean))
    mean[have] = [round(float(v), 4) for v in mean[have]]
    return persons, mean


def _decide(persons: list[str], mean: np.ndarray, threshold: float, margin: float) -> list[str | None]:
    """Per cue the best candidate when it clears ``threshold`` and beats the runner-up by ``margin``."""
    n = mean.shape[1]
    if not persons or n == 0:
        return [None] * n
    filled = np.where(np.isnan(mean), -np.inf, mean)
    best = np.argmax(filled, axis=0)  # first maximum: ties go to the lowest person id
    best_score = filled[best, np.arange(n)]
    second = filled.copy()
    second[best, np.arange(n)] = -np.inf
    runner_up = second.max(axis=0)
    with np.errstate(invalid="ignore"):  # -inf - -inf where nobody is a candidate (then not chosen anyway)
        chosen = (best_score > -np.inf) & (best_score >= threshold) & (best_score - runner_up >= margin)
    return [persons[best[i]] if chosen[i] else None for i in range(n)]


def _evidence_json(persons: list[str], mean: np.ndarray) -> list[str]:
    """The ``evidence`` column: JSON {person: mean score rounded to 4 decimals} per cue, keys sorted."""
    out = []
    for i in range(mean.shape[1]):
        col = mean[:, i]
        out.append(json.dumps({p: float(v) for p, v in zip(persons, col) if v == v}, sort_keys=True))
    return out


def attribute_cue(start: float, end: float, scores: dict[str, np.ndarray], *, threshold: float,
                  margin: float, min_coverage: float) -> tuple[str | None, dict[str, float]]:
    """``scores``: person -> float array over all timeline frames (NaN where no score)."""
    persons, mean = _cue_evidence(np.array([start]), np.array([end]), scores, min_coverage)
    evidence = {p: float(v) for p, v in zip(persons, mean[:, 0]) if v == v}
    return _decide(persons, mean, threshold, margin)[0], evidence


def attribute_utterances(session: str, cues: Sequence[Cue], scores: dict[str, np.ndarray], *, threshold: float,
                         margin: float, min_coverage: float) -> pa.Table:
    """utterances.parquet rows: every cue with its attributed speaker and evidence (all cues at once)."""
    starts = np.array([c.start for c in cues], np.float64)
    ends = np.array([c.end for c in cues], np.float64)
    persons, mean = _cue_evidence(starts, ends, scores, min_coverage)
    rows = {
        "session": [session] * len(cues),
        "utterance": [c.index for c in cues],
        "start": starts,
        "end": ends,
        "text": [c.text for c in cues],
        "voice": [c.voice for c in cues],
        "speaker": _decide(persons, mean, threshold, margin),
        "evidence": _evidence_json(persons, mean),
    }
    return pa.Table.from_pydict(rows, schema=UTTERANCES.schema())
