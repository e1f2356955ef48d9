"""Which clip frames may have a face: the evidence the pipeline already has, applied to both backends.

Why: a face model run on a tile crop finds "faces" in what is not one: the initials in a circle of
a camera-off tile, a still profile picture, a drawing. The layout stage knows which tiles are camera
off, and the tracks stage ran a face detector on every camera-on tile; face rows must agree with
them. A clip frame may have ``success`` only where

* the layout marks the person's tile camera-on at that timeline frame, and
* tracks.parquet has ``has_face`` for the person at that frame (detected, or interpolated/held
  across a short gap between detections).

Both backends get the same mask (:func:`face_evidence`); the built-in one does not even decode a
clip whose frames are all excluded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from engage import TIMELINE_FPS
from engage.contract import TRACKS, Clip, read_layout


@dataclass(frozen=True)
class ClipEvidence:
    """Per clip frame: the tile is camera-on (layout) and the tracks stage has a face there."""

    camera_on: np.ndarray  # bool, one per clip frame
    tracked: np.ndarray  # bool, one per clip frame

    @property
    def allowed(self) -> np.ndarray:
        return self.camera_on & self.tracked


def clip_first_frame(clip: Clip, fps: int = TIMELINE_FPS) -> int:
    """Timeline frame of a clip's frame 0 (clips start on a timeline frame)."""
    return int(round(clip.start * fps))


def face_evidence(clips: list[Clip], *, tracks_parquet: str | os.PathLike, layout_json: str | os.PathLike,
                  session: str, fps: int = TIMELINE_FPS) -> dict[str, ClipEvidence]:
    """clip_id -> :class:`ClipEvidence` over the clip's ``n_frames`` frames."""
    n_frames = max((clip_first_frame(c, fps) + c.n_frames for c in clips), default=0)
    camera: dict[str, np.ndarray] = {}
    if clips:
        spans = read_layout(layout_json, session=session).timeline(n_frames, session=session, path=layout_json, fps=fps)
        for sp in spans:
            for t in sp.tiles:
                on = camera.setdefault(t.id, np.zeros(n_frames, bool))
                on[sp.first_frame:sp.end_frame] = t.camera_on
    tracked = _tracked_frames(tracks_parquet, session, n_frames)
    out = {}
    for c in clips:
        a = clip_first_frame(c, fps)
        idx = np.arange(a, a + c.n_frames)
        out[c.clip_id] = ClipEvidence(_take(camera.get(c.person), idx), _take(tracked.get(c.person), idx))
    return out


def _take(per_frame: np.ndarray | None, idx: np.ndarray) -> np.ndarray:
    """``per_frame[idx]``, False outside the array (or without one)."""
    if per_frame is None:
        return np.zeros(len(idx), bool)
    inside = (idx >= 0) & (idx < len(per_frame))
    out = np.zeros(len(idx), bool)
    out[inside] = per_frame[idx[inside]]
    return out


def _tracked_frames(tracks_parquet: str | os.PathLike, session: str, n_frames: int) -> dict[str, np.ndarray]:
    """person -> bool per timeline frame: tracks.parquet ``has_face``."""
    t = TRACKS.read(tracks_parquet, session=session, columns=["person", "frame", "has_face"])
    codes = t.column("person").combine_chunks().dictionary_encode()
    names = codes.dictionary.to_pylist()
    person = codes.indices.to_numpy(zero_copy_only=False)
    frame = t.column("frame").to_numpy(zero_copy_only=False).astype(np.int64)
    has = t.column("has_face").fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    length = max(n_frames, int(frame.max()) + 1 if frame.size else 0)
    out = {}
    for k, p in enumerate(names):
        m = person == k
        on = np.zeros(length, bool)
        on[frame[m]] = has[m]
        out[str(p)] = on
    return out


def evidence_summary(evidence: dict[str, ClipEvidence]) -> dict[str, int]:
    """Frame counts for the metadata and the log: all, camera off, camera on but no tracked face."""
    frames = sum(len(e.camera_on) for e in evidence.values())
    off = sum(int((~e.camera_on).sum()) for e in evidence.values())
    untracked = sum(int((e.camera_on & ~e.tracked).sum()) for e in evidence.values())
    return {"frames": frames, "frames_camera_off": off, "frames_without_tracked_face": untracked}
