"""Per clip and person: how long the person speaks in the clip window and which utterances are theirs.

* ``speech_seconds`` = (frames of the person with ``speaking`` true and ``start <= f/25 < end``) / 25.
* ``has_speech`` = ``speech_seconds >= min_speech_seconds`` (a few isolated frames are not speech).
* ``utterances`` = indices of the cues attributed to this person (speakers.parquet ``speaker``)
  that overlap the window (``cue.start < end`` and ``cue.end > start``), ascending.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict

import numpy as np
import pyarrow as pa

from engage import TIMELINE_FPS
from engage.contract import ASD, CLIP_SPEECH, Clip, ClipSpeech, Utterance, clip_speech_table, read_clips, read_speakers
from engage.intervals import per_window
from engage.io.parquet import read_meta

log = logging.getLogger(__name__)


def speech_rows(clips: list[Clip], scores: pa.Table, utterances: list[Utterance],
                min_speech_seconds: float) -> list[ClipSpeech]:
    """One row per clip; per person, the clip windows and the person's cues meet in one sorted pass
    (:func:`engage.intervals.per_window`), so the cost is linear in clips + cues."""
    codes = scores.column("person").combine_chunks().dictionary_encode()  # no Python string per frame
    names = [str(p) for p in codes.dictionary.to_pylist()]
    idx = codes.indices.to_numpy(zero_copy_only=False)
    frames = scores.column("frame").to_numpy(zero_copy_only=False)
    speaking = scores.column("speaking").to_numpy(zero_copy_only=False).astype(bool)
    speaking_frames = {p: np.sort(frames[(idx == k) & speaking]) for k, p in enumerate(names)}
    cues_by_person = defaultdict(list)
    for u in utterances:
        if u.speaker is not None:
            cues_by_person[u.speaker].append(u)
    mine: dict[str, tuple[int, ...]] = {}
    by_person = defaultdict(list)
    for c in clips:
        by_person[c.person].append(c)
    for person, cs in by_person.items():
        us = cues_by_person.get(person, [])
        ids = np.array([u.utterance for u in us], np.int64)
        groups = per_window(np.array([c.start for c in cs]), np.array([c.end for c in cs]),
                            np.array([u.start for u in us]), np.array([u.end for u in us]))
        for c, g in zip(cs, groups):
            mine[c.clip_id] = tuple(sorted(ids[g].tolist()))
    rows = []
    for c in clips:
        f = speaking_frames.get(c.person, np.zeros(0, np.int64))
        lo = np.searchsorted(f, np.ceil(c.start * TIMELINE_FPS - 1e-9))
        hi = np.searchsorted(f, np.ceil(c.end * TIMELINE_FPS - 1e-9))
        seconds = float(hi - lo) / TIMELINE_FPS
        rows.append(ClipSpeech(c.clip_id, c.person, seconds, seconds >= min_speech_seconds and seconds > 0,
                               mine[c.clip_id]))
    return rows


def clip_speech_session(*, session: str, clips: str | os.PathLike, scores: str | os.PathLike,
                        speakers: str | os.PathLike, output: str | os.PathLike, min_speech_seconds: float = 0.5) -> dict:
    clip_rows = read_clips(clips, session=session)
    score_t = ASD.read(scores, session=session, columns=["person", "frame", "speaking"])
    utts = read_speakers(speakers, session=session)
    table = clip_speech_table(speech_rows(clip_rows, score_t, utts, float(min_speech_seconds)))
    asd_meta = read_meta(scores)
    meta = {"params": {"min_speech_seconds": float(min_speech_seconds)}, "model": asd_meta.get("model"),
            "weights_sha256": asd_meta.get("weights_sha256"), "source_sha256": asd_meta.get("source_sha256")}
    CLIP_SPEECH.write(output, table, meta=meta)
    n = sum(table.column("has_speech").to_pylist())
    log.info("wrote %s: %d clips, %d with speech", output, len(table), n)
    return {"clips": len(table), "with_speech": n}
