"""Per clip and person: how long the person speaks in the clip window and which utterances are theirs.

* ``speech_seconds`` = (frames of the person with ``speaking`` true and ``start <= f/25 < end``) / 25.
* ``has_speech`` = ``speech_seconds >= min_speech_seconds`` (a few isolated frames are not speech).
* ``utterances`` = indices of the cues attributed to this person (utterances.parquet ``speaker``)
  that overlap the window (``cue.start < end`` and ``cue.end > start``), ascending.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from collections import defaultdict

import numpy as np
import pyarrow as pa

from engage import TIMELINE_FPS
from engage.io.parquet import read_required
from engage.io.parquet import read_meta, write_table

log = logging.getLogger(__name__)

CLIP_SPEECH_SCHEMA = pa.schema([
    ("clip_id", pa.string()),
    ("person", pa.string()),
    ("speech_seconds", pa.float64()),
    ("has_speech", pa.bool_()),
    ("utterances", pa.list_(pa.int32())),
])


def _read(path, session, columns):
    return read_required(path, columns, session=session, what=Path(path).name)


def clip_speech_table(clips: pa.Table, scores: pa.Table, utterances: pa.Table, min_speech_seconds: float) -> pa.Table:
    speaking_frames: dict[str, np.ndarray] = {}
    persons = np.asarray(scores.column("person").to_pylist(), dtype=object)
    frames = scores.column("frame").to_numpy(zero_copy_only=False)
    speaking = scores.column("speaking").to_numpy(zero_copy_only=False).astype(bool)
    for person in set(persons.tolist()):
        speaking_frames[person] = np.sort(frames[(persons == person) & speaking])
    cues_by_person = defaultdict(list)
    for u in utterances.to_pylist():
        if u["speaker"] is not None:
            cues_by_person[u["speaker"]].append((u["start"], u["end"], u["utterance"]))
    rows = {name: [] for name in CLIP_SPEECH_SCHEMA.names}
    for c in clips.to_pylist():
        person, start, end = c["person"], float(c["start"]), float(c["end"])
        f = speaking_frames.get(person, np.zeros(0, np.int64))
        lo, hi = np.searchsorted(f, np.ceil(start * TIMELINE_FPS - 1e-9)), np.searchsorted(f, np.ceil(end * TIMELINE_FPS - 1e-9))
        seconds = float(hi - lo) / TIMELINE_FPS
        rows["clip_id"].append(c["clip_id"])
        rows["person"].append(person)
        rows["speech_seconds"].append(seconds)
        rows["has_speech"].append(seconds >= min_speech_seconds and seconds > 0)
        rows["utterances"].append(sorted(i for s, e, i in cues_by_person.get(person, []) if s < end and e > start))
    return pa.Table.from_pydict(rows, schema=CLIP_SPEECH_SCHEMA)


def clip_speech_session(*, session: str, clips: str | os.PathLike, scores: str | os.PathLike,
                        utterances: str | os.PathLike, output: str | os.PathLike, min_speech_seconds: float = 0.5) -> dict:
    clip_t = _read(clips, session, ["clip_id", "person", "start", "end"])
    score_t = _read(scores, session, ["person", "frame", "speaking"])
    utt_t = _read(utterances, session, ["utterance", "start", "end", "speaker"])
    table = clip_speech_table(clip_t, score_t, utt_t, float(min_speech_seconds))
    asd_meta = read_meta(scores)
    meta = {"params": {"min_speech_seconds": float(min_speech_seconds)}, "model": asd_meta.get("model"),
            "weights_sha256": asd_meta.get("weights_sha256"), "source_sha256": asd_meta.get("source_sha256")}
    write_table(output, table, stage="clip_speech", meta=meta, sort_by=["clip_id"])
    n = sum(table.column("has_speech").to_pylist())
    log.info("wrote %s: %d clips, %d with speech", output, len(table), n)
    return {"clips": len(table), "with_speech": n}
