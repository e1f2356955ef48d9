"""Read the clips stage's table: the (clip_id, video path) pairs the face stage works on."""

from __future__ import annotations

import os
from pathlib import Path


from engage.errors import SessionError
from engage.io.parquet import read_required


def read_clips(clips_parquet: str | os.PathLike, session: str) -> list[tuple[str, Path]]:
    """Sorted ``(clip_id, absolute-or-cwd-relative video path)``; clip paths are relative to ``<results>/<s>/``."""
    table = read_required(clips_parquet, ("clip_id", "path"), session=session, what="clips table")
    base = Path(clips_parquet).parent
    ids = table.column("clip_id").to_pylist()
    paths = table.column("path").to_pylist()
    if len(set(ids)) != len(ids):
        raise SessionError(session, clips_parquet, "duplicate clip_id values")
    out = []
    for cid, p in sorted(zip(ids, paths)):
        video = base / p
        if not video.exists():
            raise SessionError(session, video, f"clip video of {cid} is missing")
        out.append((cid, video))
    return out
