"""The clips of a session in the order a rater works through them, read through the data contract."""

from __future__ import annotations

import os

from engage.contract import Clip, read_clips


def session_clips(clips_parquet: str | os.PathLike, session: str) -> list[Clip]:
    """The session's clips (``engage.contract.read_clips``) in time order: window, then person.

    Why not clip_id order (the reader's): the id's zero-padded window number sorts like the window only
    below 10000 windows; labelling pages, the review queue and the merged rows follow the recording.
    """
    return sorted(read_clips(clips_parquet, session=session), key=lambda c: (c.window, c.person))
