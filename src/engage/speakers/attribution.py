"""Who said what: attribute each transcript cue to a person, by display name and by active-speaker evidence.

Rule (documented in docs/asd.md):

* *Name*: the cue's voice name (VTT ``<v Name>`` or a ``Name:`` prefix: Zoom writes the speaker's own
  display name, taken from their microphone) is compared, after :func:`engage.naming.normalize_name`,
  with the tile names (layout.json ``name``) of the span the cue's midpoint lies in. It names a person
  only when it equals the name of exactly one tile of that span (two tiles "iPad" are no evidence).
* *ASD*: the frames of a cue are the timeline frames ``f`` with ``start <= f / 25 < end``. A person is a
  *candidate* when they have a score (a face, and audio) on at least ``min_coverage`` of those frames;
  their evidence is the mean score over the frames that have one. The ASD speaker is the best candidate
  when its mean score is at least ``threshold`` and exceeds the runner-up's by at least ``margin``.
* ``asd.attribution`` combines them: ``auto`` (default) takes the name where it names one tile, else
  the ASD speaker; ``asd`` takes the ASD speaker only (names are a cross-check); ``name`` takes names only.
  Both decisions are kept (``name_speaker``, ``asd_speaker``) and the report lists cues where they differ.
"""

from __future__ import annotations

import json
from typing import Sequence

import numpy as np

from engage import TIMELINE_FPS
from engage.contract import TimelineSpan, Utterance
from engage.naming import normalize_name, unique_names

#: ``asd.attribution`` values.
ATTRIBUTION_MODES = ("auto", "asd", "name")


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


def asd_speakers(cues: Sequence[Utterance], scores: dict[str, np.ndarray], *, threshold: float, margin: float,
                 min_coverage: float) -> tuple[list[str | None], list[str]]:
    """Per cue the ASD speaker (or None) and the evidence JSON, all cues at once."""
    starts = np.array([c.start for c in cues], np.float64)
    ends = np.array([c.end for c in cues], np.float64)
    persons, mean = _cue_evidence(starts, ends, scores, min_coverage)
    return _decide(persons, mean, threshold, margin), _evidence_json(persons, mean)


def span_name_index(span: TimelineSpan) -> dict[str, str]:
    """Normalised tile name -> person for the names that belong to exactly one tile of the span."""
    keys = unique_names([normalize_name(t.name) if t.name else None for t in span.tiles])
    return {key: t.id for key, t in zip(keys, span.tiles) if key}


def name_speakers(cues: Sequence[Utterance], spans: Sequence[TimelineSpan]) -> list[str | None]:
    """Per cue the one tile of its span whose display name equals the cue's voice name, else None.

    The span is the one holding the cue's midpoint (spans tile the timeline; a midpoint past the last
    span belongs to it). Sorted searches: linear in cues and spans.
    """
    if not spans:
        return [None] * len(cues)
    starts = np.array([s.start for s in spans], np.float64)
    indexes = [span_name_index(s) for s in spans]
    out: list[str | None] = []
    for c in cues:
        key = normalize_name(c.voice) if c.voice else ""
        if not key:
            out.append(None)
            continue
        k = max(0, int(np.searchsorted(starts, 0.5 * (c.start + c.end), side="right")) - 1)
        out.append(indexes[k].get(key))
    return out


def combine(mode: str, name: str | None, asd: str | None) -> tuple[str | None, str | None]:
    """(speaker, speaker_source) of one cue under ``asd.attribution`` = ``mode``."""
    if mode not in ATTRIBUTION_MODES:
        raise ValueError(f"asd.attribution must be one of {', '.join(ATTRIBUTION_MODES)} (got {mode!r})")
    if mode != "asd" and name is not None:
        return name, "name"
    if mode != "name" and asd is not None:
        return asd, "asd"
    return None, None


def attribute_cues(cues: Sequence[Utterance], scores: dict[str, np.ndarray], spans: Sequence[TimelineSpan], *,
                   mode: str, threshold: float, margin: float, min_coverage: float) -> list[Utterance]:
    """The cues with speaker, speaker_source, asd_speaker, name_speaker and evidence filled in."""
    by_asd, evidence = asd_speakers(cues, scores, threshold=threshold, margin=margin, min_coverage=min_coverage)
    by_name = name_speakers(cues, spans)
    out = []
    for c, a, n, e in zip(cues, by_asd, by_name, evidence):
        speaker, source = combine(mode, n, a)
        out.append(Utterance(c.session, c.utterance, c.start, c.end, c.text, c.voice, speaker, e, source, a, n))
    return out


def disagreements(cues: Sequence[Utterance]) -> list[Utterance]:
    """Cues whose voice name names one tile and whose ASD decision names another."""
    return [c for c in cues if c.name_speaker and c.asd_speaker and c.name_speaker != c.asd_speaker]
