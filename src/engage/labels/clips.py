"""The clip list of a session as the labelling code needs it: the one place here that reads clips.parquet."""

from __future__ import annotations

import os
from dataclasses import dataclass

from engage.io.parquet import read_required

CLIP_COLUMNS = ("clip_id", "person", "window", "start", "end", "path")


@dataclass(frozen=True)
class Clip:
    clip_id: str
    person: str
    window: int
    start: float
    end: float
    path: str  # relative to results/<session>/, e.g. clips/<clip_id>.mp4


def read_session_clips(clips_parquet: str | os.PathLike, session: str) -> list[Clip]:
    """The session's clips in clips.parquet order (window, person); one-line error when unreadable."""
    t = read_required(clips_parquet, CLIP_COLUMNS, session=session, what="clips.parquet").to_pydict()
    return [Clip(str(c), str(p), int(w), float(s), float(e), str(pa))
            for c, p, w, s, e, pa in zip(t["clip_id"], t["person"], t["window"], t["start"], t["end"], t["path"])]


def read_clip_ids(clips_parquet: str | os.PathLike, session: str) -> list[str]:
    """Only the clip ids, in clips.parquet order (what label validation needs)."""
    return [str(c) for c in read_required(clips_parquet, ["clip_id"], session=session, what="clips.parquet")
            .column("clip_id").to_pylist()]
