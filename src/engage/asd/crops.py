"""Decode the recording once and cut every person's face crops from the same gray frames.

One whole-frame decode shared by all persons is cheaper than one decode per tile when a gallery
has many tiles. Crops are collected per piece (see :mod:`engage.asd.scoring`) and handed out as
soon as a piece is complete, so memory is bounded by the pieces in flight, not the recording.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

from engage.asd.faces import MODEL_SIZE, FaceSegment, crop_face
from engage.asd.scoring import Piece
from engage.logutil import progress
from engage.media.decode import FrameReader

log = logging.getLogger(__name__)


@dataclass
class _PieceSpec:
    person: str
    start: int
    geometry: np.ndarray  # (n, 3) cx, cy, s
    faces: list = field(default_factory=list)

    @property
    def stop(self) -> int:
        return self.start + len(self.geometry)


def plan_pieces(segments: Sequence[FaceSegment], max_piece_frames: int) -> list[_PieceSpec]:
    """Cut segments into pieces of at most ``max_piece_frames`` (smoothing uses the whole segment)."""
    specs = []
    for seg in segments:
        geo = seg.crop_geometry()
        for off in range(0, len(geo), max_piece_frames):
            specs.append(_PieceSpec(seg.person, seg.start + off, geo[off : off + max_piece_frames]))
    specs.sort(key=lambda p: (p.start, p.person))
    return specs


def iter_face_pieces(video: str | os.PathLike, segments: Sequence[FaceSegment], *, crop_scale: float,
                     max_piece_frames: int, flush_frames: int, n_frames: int | None = None,
                     session: str | None = None) -> Iterator[list[Piece]]:
    """Yield lists of complete pieces (about ``flush_frames`` crops at a time) while decoding once."""
    specs = plan_pieces(segments, max_piece_frames)
    if not specs:
        return
    last = max(s.stop for s in specs)
    pending = list(reversed(specs))  # pop() gives the earliest start
    active: list[_PieceSpec] = []
    ready: list[Piece] = []
    ready_frames = 0
    reader = FrameReader(video, gray=True, session=session, duration=last / 25.0 + 0.5)
    index = -1
    frames = progress(iter(reader), n_frames or last, "asd face crops (frames)", log)
    for index, gray in frames:
        while pending and pending[-1].start <= index:
            active.append(pending.pop())
        still = []
        for spec in active:
            k = index - spec.start
            if 0 <= k < len(spec.geometry):
                cx, cy, s = spec.geometry[k]
                spec.faces.append(crop_face(gray, cx, cy, s, crop_scale))
            if index + 1 >= spec.stop:
                ready.append(_to_piece(spec))
                ready_frames += len(spec.geometry)
            else:
                still.append(spec)
        active = still
        if ready_frames >= flush_frames:
            yield ready
            ready, ready_frames = [], 0
        if index + 1 >= last:
            break
    for spec in active + pending[::-1]:  # video ended early: keep what was decoded
        if spec.faces:
            log.warning("session '%s': video ended at frame %d before %s's face track (frames %d-%d); scored the decoded part",
                        session, index, spec.person, spec.start, spec.stop - 1)
            ready.append(_to_piece(spec))
    if ready:
        yield ready


def _to_piece(spec: _PieceSpec) -> Piece:
    faces = np.stack(spec.faces) if spec.faces else np.zeros((0, MODEL_SIZE, MODEL_SIZE), np.uint8)
    spec.faces = []
    return Piece(spec.person, spec.start, faces)
