"""Tracks stage: per person and timeline frame, the face box inside the person's tile.

One decode of the recording (``FrameReader(every=N)``: ffmpeg decodes in its own process while we
detect), every sampled frame cropped into tiles in numpy, MediaPipe face detection on a thread pool
(MediaPipe releases the GIL while its graph runs), then :func:`engage.tracks.track.fill_track`
fills all frames. Camera-off tiles are not searched (an avatar photo is not the participant):
their rows have ``has_face`` false.
"""

from __future__ import annotations

import logging
import os
import threading
from array import array
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa

from engage.contract import TRACKS, TimelineSpan, read_layout, read_media
from engage.errors import SessionError
from engage.logutil import progress
from engage.media.decode import FrameReader
from engage.tracks.detector import Box, TileFaceDetector
from engage.tracks.track import choose_face, fill_track

log = logging.getLogger(__name__)

class _Detectors:
    """One detector per worker thread (MediaPipe graphs must not be shared between threads)."""

    def __init__(self, **kw):
        self._kw = kw
        self._local = threading.local()
        self._all: list[TileFaceDetector] = []
        self._lock = threading.Lock()

    def detect(self, crop: np.ndarray) -> list[Box]:
        det = getattr(self._local, "det", None)
        if det is None:
            det = self._local.det = TileFaceDetector(**self._kw)
            with self._lock:
                self._all.append(det)
        return det.detect(crop)

    def close(self) -> None:
        for d in self._all:
            d.close()


def _detect_all(video, session, spans: list[TimelineSpan], frame_size, n_frames, every, threads, det_kw):
    """{(span index, person): (sample frames, flat [x, y, w, h, score] per sample)} from one decode pass."""
    fw, fh = frame_size
    # Compact per-tile sample store (frame; x, y, w, h, score or NaNs): ~28 bytes per sample.
    samples: dict[tuple[int, str], tuple[array, array]] = {}
    for k, sp in enumerate(spans):
        for t in sp.tiles:
            samples[(k, t.id)] = (array("i"), array("d"))
    dets = _Detectors(**det_kw)
    pending: deque = deque()  # (frame index, [(key, tile w, tile h, future)])
    prev: dict[tuple[int, str], Box] = {}

    def collect(frame: int, jobs: list) -> None:
        for key, tw, th, fut in jobs:
            chosen = choose_face(fut.result(), prev.get(key), tw, th)
            if chosen is not None:
                prev[key] = chosen
            samples[key][0].append(frame)
            samples[key][1].extend(NO_BOX if chosen is None else (chosen.x, chosen.y, chosen.w, chosen.h, chosen.score))

    reader = FrameReader(video, every=every, session=session)
    n_samples = (n_frames + every - 1) // every
    decoded = 0
    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="facedet") as pool:
        try:
            for frame_idx, img in progress(reader, n_samples, "tracks: sampled frames", log):
                decoded += 1
                if frame_idx >= n_frames:
                    break
                k = next((i for i, s in enumerate(spans) if s.first_frame <= frame_idx < s.end_frame), None)
                if k is None:
                    continue
                jobs = []
                for t in spans[k].tiles:
                    if not t.camera_on:
                        continue  # not searched: detected stays false, has_face false
                    x, y, w, h = t.clamped(fw, fh)
                    if w < 8 or h < 8:
                        continue
                    crop = np.ascontiguousarray(img[y : y + h, x : x + w])
                    jobs.append(((k, t.id), w, h, pool.submit(dets.detect, crop)))
                pending.append((frame_idx, jobs))
                # Two frames in flight: the pool detects on frame i while ffmpeg/we read frame i+1.
                while len(pending) > 2:
                    collect(*pending.popleft())
            while pending:
                collect(*pending.popleft())
        finally:
            dets.close()
    if decoded == 0:
        raise SessionError(session, video, "no decodable frames (corrupt or truncated video)")
    return samples


def track_session(
    *,
    session: str,
    video: str | os.PathLike,
    media_json: str | os.PathLike,
    layout_json: str | os.PathLike,
    tracks_parquet: str | os.PathLike,
    every: int = 5,
    model: str = "auto",
    min_confidence: float = 0.5,
    max_side: int = 320,
    max_gap_s: float = 1.0,
    smooth: int = 1,
    threads: int = 2,
) -> dict[str, dict]:
    """Write ``tracks.parquet`` for one session (see docs/tracks.md); return {person: frame counts}."""
    media = read_media(media_json, session=session)
    n_frames, fps = media.n_frames, media.timeline_fps
    spans = read_layout(layout_json, session=session).timeline(n_frames, session=session, path=layout_json, fps=fps)
    every = max(1, int(every))
    log.info("session %s: %d frames, %d spans, %d tiles; detector %s every %d frames on %d threads",
             session, n_frames, len(spans), sum(len(s.tiles) for s in spans), model, every, threads)
    samples = _detect_all(video, session, spans, media.frame_size, n_frames, every, threads,
                          dict(model=model, min_confidence=min_confidence, max_side=max_side))
    max_gap = max(every, int(round(max_gap_s * fps)))
    meta = {
        "params": dict(every=every, model=model, min_confidence=min_confidence, max_side=max_side, max_gap_s=max_gap_s,
                       smooth=smooth),
        "model": f"mediapipe-0.10.14 face_detection ({model})",
        "weights_sha256": "bundled-in-mediapipe-wheel",
        "source_sha256": media.source_sha256,
    }
    size = media.frame_size
    persons = sorted({t.id for sp in spans for t in sp.tiles})
    summary: dict[str, dict] = {}

    def batches():
        # Rows sorted by (person, frame): persons in order, each person's spans in time order.
        for pid in persons:
            for k, sp in enumerate(spans):
                tile = next((t for t in sp.tiles if t.id == pid), None)
                if tile is None:
                    continue
                frames, flat = samples.pop((k, pid))
                boxes = _unpack(flat)
                tr = fill_track(sp.first_frame, sp.end_frame, list(frames), boxes, every=every, max_gap=max_gap,
                                smooth_radius=smooth)
                n = len(tr.frames)
                s = summary.setdefault(pid, {"frames": 0, "face_frames": 0})
                s["frames"] += n
                s["face_frames"] += int(tr.has_face.sum())
                log.info("person %s span %d: %d frames, face on %.0f%%", pid, k, n, 100 * tr.has_face.mean() if n else 0)
                yield _batch(session, pid, tile.clamped(*size), tr, fps)

    TRACKS.write_batches(tracks_parquet, batches(), meta=meta)
    return summary


NO_BOX = (float("nan"),) * 5


def _unpack(flat: array) -> list[Box | None]:
    v = np.frombuffer(flat, np.float64).reshape(-1, 5) if len(flat) else np.zeros((0, 5))
    return [None if np.isnan(r[0]) else Box(*(float(x) for x in r)) for r in v]


def _batch(session: str, pid: str, rect: tuple[int, int, int, int], tr, fps: int) -> pa.RecordBatch:
    """Rows of one person in one span."""
    n = len(tr.frames)
    x, y, w, h = rect
    face = tr.box.copy()
    face[:, 0] += x  # tile pixels -> display pixels of the whole frame
    face[:, 1] += y
    const = lambda v, t: pa.array(np.full(n, v, np.int32), t)  # noqa: E731
    cols = [
        pa.array([session] * n, pa.string()),
        pa.array([pid] * n, pa.string()),
        pa.array(tr.frames, pa.int32()),
        pa.array(tr.frames.astype(np.float64) / fps, pa.float64()),
        const(x, pa.int32()), const(y, pa.int32()), const(w, pa.int32()), const(h, pa.int32()),
        *(pa.array(face[:, j], pa.float32(), from_pandas=True) for j in range(4)),  # NaN -> null
        pa.array(tr.score, pa.float32(), from_pandas=True),
        pa.array(tr.detected, pa.bool_()),
        pa.array(tr.has_face, pa.bool_()),
    ]
    return pa.RecordBatch.from_arrays(cols, schema=TRACKS.schema())


