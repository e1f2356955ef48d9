"""Face stage entry points: one session's clips -> ``<results>/<s>/features/face.parquet``."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from engage.contract import FACE, clip_videos, read_clips
from engage.face.builtin import BACKEND, MODEL_NAME, FaceMeshBackend, mediapipe_version
from engage.face.evidence import evidence_summary, face_evidence
from engage.logutil import progress

log = logging.getLogger(__name__)

_worker_backend: FaceMeshBackend | None = None


def _init_worker(det: float, trk: float) -> None:
    global _worker_backend
    _worker_backend = FaceMeshBackend(det, trk)


def _extract_one(args: tuple[str, str, str, np.ndarray]) -> pa.Table:
    clip_id, video, session, allowed = args
    return _worker_backend.extract(video, clip_id, session, allowed)


def face_session_builtin(*, session: str, clips_parquet: str | os.PathLike, tracks_parquet: str | os.PathLike,
                         layout_json: str | os.PathLike, output: str | os.PathLike, threads: int = 1,
                         min_detection_confidence: float = 0.8, min_tracking_confidence: float = 0.9) -> pa.Table:
    """Run the built-in backend on every clip of the session and write face.parquet.

    A frame has ``success`` only where the layout marks the tile camera-on and tracks.parquet has a
    face (:mod:`engage.face.evidence`). Clips are independent (a fresh tracker per clip), so
    ``threads`` worker processes give the same rows as one; output is sorted by (clip_id, frame) and
    byte-identical across reruns.
    """
    clips = read_clips(clips_parquet, session=session)
    evidence = face_evidence(clips, tracks_parquet=tracks_parquet, layout_json=layout_json, session=session)
    jobs = [(c.clip_id, str(v), session, evidence[c.clip_id].allowed)
            for c, v in zip(clips, clip_videos(clips_parquet, clips, session=session))]
    gated = evidence_summary(evidence)
    log.info("session %s: face evidence: %d of %d clip frames camera off, %d more without a tracked face (no "
             "success there)", session, gated["frames_camera_off"], gated["frames"], gated["frames_without_tracked_face"])
    tables: list[pa.Table] = []
    workers = max(1, min(int(threads), len(jobs)))
    log.info("session %s: %d clips, built-in backend (MediaPipe %s), %d worker(s)", session, len(jobs),
             mediapipe_version(), workers)
    if workers == 1:
        _init_worker(min_detection_confidence, min_tracking_confidence)
        tables = [_extract_one(j) for j in progress(jobs, len(jobs), "face clips", log)]
    elif jobs:
        ctx = mp.get_context("spawn")  # MediaPipe's graph threads do not survive fork
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                 initargs=(min_detection_confidence, min_tracking_confidence)) as pool:
            tables = list(progress(pool.map(_extract_one, jobs), len(jobs), "face clips", log))
    table = pa.concat_tables(tables) if tables else FACE.empty()
    n_ok = int(pa.compute.sum(table.column("success")).as_py() or 0) if table.num_rows else 0
    log.info("session %s: %d frames, %d with a face", session, table.num_rows, n_ok)
    meta = {
        "backend": BACKEND,
        "model": MODEL_NAME,
        "backend_version": f"mediapipe=={mediapipe_version()}",
        "weights_sha256": "bundled-in-mediapipe-wheel",
        "params": {"min_detection_confidence": min_detection_confidence,
                   "min_tracking_confidence": min_tracking_confidence},
        "session": session,
        "n_clips": len(jobs),
        "evidence": gated,
    }
    FACE.write(output, table, meta=meta)
    return table
