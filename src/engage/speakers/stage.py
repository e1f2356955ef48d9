"""speakers stage for one session: cues.parquet + asd.parquet + layout.json -> speakers.parquet.

A few milliseconds per thousand cues: apart from the ASD scoring (rule asd) so that a new attribution
setting, or a changed voice name, reruns this and not the model. See docs/asd.md for the rule.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pyarrow as pa

from engage.contract import ASD, SPEAKERS, read_cues, read_layout, read_media, utterances_table
from engage.speakers.attribution import attribute_cues, disagreements

log = logging.getLogger(__name__)


def score_arrays(asd: pa.Table, n_frames: int) -> dict[str, np.ndarray]:
    """person -> float32 array over the timeline frames (NaN where asd.parquet has no score)."""
    persons = asd.column("person").to_numpy(zero_copy_only=False)
    frames = asd.column("frame").to_numpy(zero_copy_only=False).astype(np.int64)
    score = asd.column("score").to_numpy(zero_copy_only=False).astype(np.float32)  # nulls -> NaN
    length = max(n_frames, int(frames.max()) + 1 if frames.size else 0)
    out = {}
    for person in sorted(set(persons.tolist())):
        sel = persons == person
        arr = np.full(length, np.nan, np.float32)
        arr[frames[sel]] = score[sel]
        out[person] = arr
    return out


def attribute_speakers_session(
    *,
    session: str,
    asd: str | os.PathLike,
    cues: str | os.PathLike,
    layout_json: str | os.PathLike,
    media_json: str | os.PathLike,
    output: str | os.PathLike,
    attribution: str = "auto",
    threshold: float = 0.0,
    attribution_margin: float = 1.0,
    attribution_min_coverage: float = 0.5,
) -> dict:
    """Attribute every cue (``asd.attribution``: auto | asd | name) and write speakers.parquet."""
    media = read_media(media_json, session=session)
    spans = read_layout(layout_json, session=session).timeline(media.n_frames, session=session, path=layout_json)
    rows = read_cues(cues, session=session)
    table = ASD.read(asd, session=session, columns=["person", "frame", "score"])
    scores = score_arrays(table, media.n_frames) if media.has_audio else {}
    out = attribute_cues(rows, scores, spans, mode=attribution, threshold=threshold, margin=attribution_margin,
                         min_coverage=attribution_min_coverage)
    differ = disagreements(out)
    counts = {src: sum(u.speaker_source == src for u in out) for src in ("name", "asd")}
    meta = {"params": {"attribution": attribution, "threshold": threshold, "attribution_margin": attribution_margin,
                       "attribution_min_coverage": attribution_min_coverage},
            "by_name": counts["name"], "by_asd": counts["asd"], "name_asd_disagreements": len(differ)}
    SPEAKERS.write(output, utterances_table(out, SPEAKERS), meta=meta)
    log.info("session '%s': %d cues, %d attributed by name, %d by ASD, %d unattributed; %d where name and ASD "
             "disagree", session, len(out), counts["name"], counts["asd"], len(out) - sum(counts.values()), len(differ))
    if differ:
        log.warning("session '%s': %d cue(s) whose voice name and ASD decision name different persons (listed in "
                    "the report), e.g. cue %d: name %s, ASD %s", session, len(differ), differ[0].utterance,
                    differ[0].name_speaker, differ[0].asd_speaker)
    return {"cues": len(out), **counts, "disagreements": len(differ)}
