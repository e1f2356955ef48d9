"""Per clip and person: how long the person speaks in the clip window and which utterances are theirs.

* ``speech_seconds`` = (frames of the person with ``speaking`` true and ``start <= f/25 < end``) / 25.
* ``has_speech`` = ``speech_seconds >= min_speech_seconds`` (a few isolated frames are not speech).
* ``utterances`` = indices of the cues attributed to this person (utterances.parquet ``speaker``)
  that overlap the window (``cue.start < end`` and ``cue.end > start``), ascending.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict

import numpy as np
import pyarrow as pa

from engage import TIMELINE_FPS
from engage.contract import ASD, CLIP_SPEECH, Clip, ClipSpeech, Utterance, clip_speech_table, read_clips, read_utterances
from engage.io.parquet import read_meta

log = logging.getLogger(__name__)


def speech_rows(clips: list[Clip], scores: pa.Table, utterances: list[Utterance],
                min_speech_seconds: float) -> list[ClipSpeech]:
    speaking_frames: dict[str, np.ndarray] = {}
    persons = np.asarray(scores.column("person").to_pylist(), dtype=object)
    frames = scores.column("frame").to_numpy(zero_copy_only=False)
    speaking = scores.column("speaking").to_numpy(zero_copy_only=False).astype(bool)
    for person in set(persons.tolist()):
        speaking_frames[person] = np.sort(frames[(persons == person) & speaking])
    cues_by_person = defaultdict(list)
    for u in utterances:
        if u.speaker is not None:
            cues_by_person[u.speaker].append(u)
    rows = []
    for c in clips:
        f = speaking_frames.get(c.person, np.zeros(0, np.int64))
        lo = np.searchsorted(f, np.ceil(c.start * TIMELINE_FPS - 1e-9))
        hi = np.searchsorted(f, np.ceil(c.end * TIMELINE_FPS - 1e-9))
        seconds = float(hi - lo) / TIMELINE_FPS
        mine = sorted(u.utterance for u in cues_by_person.get(c.person, []) if u.start < c.end and u.end > c.start)
        rows.append(ClipSpeech(c.clip_id, c.person, seconds, seconds >= min_speech_seconds and seconds > 0, tuple(mine)))
    return rows


def clip_speech_session(*, session: str, clips: str | os.PathLike, scores: str | os.PathLike,
                        utterances: str | os.PathLike, output: str | os.PathLike, min_speech_seconds: float = 0.5) -> dict:
    clip_rows = read_clips(clips, session=session)
    score_t = ASD.read(scores, session=session, columns=["person", "frame", "speaking"])
    utts = read_utterances(utterances, session=session)
    table = clip_speech_table(speech_rows(clip_rows, score_t, utts, float(min_speech_seconds)))
    asd_meta = read_meta(scores)
    meta = {"params": {"min_speech_seconds": float(min_speech_seconds)}, "model": asd_meta.get("model"),
            "weights_sha256": asd_meta.get("weights_sha256"), "source_sha256": asd_meta.get("source_sha256")}
    CLIP_SPEECH.write(output, table, meta=meta)
    n = sum(table.column("has_speech").to_pylist())
    log.info("wrote %s: %d clips, %d with speech", output, len(table), n)
    return {"clips": len(table), "with_speech": n}
