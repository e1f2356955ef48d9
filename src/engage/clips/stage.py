"""Clips stage: utterance-aligned windows and one tile-crop mp4 per person and window.

One decode of the recording for the whole session, inside one ffmpeg process that crops every
tile of every layout span and writes each person's clips with a segment muxer
(:func:`engage.clips.encode.encode_clips`). See docs/clips.md.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from engage import TIMELINE_FPS
from engage.clips.encode import EncodeError, PersonPlan, SpanPlan, encode_clips
from engage.clips.windows import session_windows
from engage.errors import SessionError
from engage.io.parquet import write_table
from engage.media.probe import probe_media
from engage.tracks.spans import load_layout
from engage.tracks.stage import read_media
from engage.transcript import Cue, read_transcript

log = logging.getLogger(__name__)

SCHEMA = pa.schema(
    [
        ("clip_id", pa.string()),
        ("session", pa.string()),
        ("person", pa.string()),
        ("window", pa.int32()),
        ("start", pa.float64()),
        ("end", pa.float64()),
        ("n_frames", pa.int32()),
        ("face_fraction", pa.float32()),
        ("path", pa.string()),
        ("utterances", pa.list_(pa.int32())),
        ("crop_x", pa.int32()),
        ("crop_y", pa.int32()),
        ("crop_w", pa.int32()),
        ("crop_h", pa.int32()),
    ]
)


def clip_id(session: str, window: int, person: str) -> str:
    return f"{session}_{window:04d}_{person}"


def _face_fraction(tracks_parquet, session: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """person -> (frames, has_face) from tracks.parquet."""
    try:
        t = pq.read_table(tracks_parquet, columns=["person", "frame", "has_face"])
    except (OSError, pa.ArrowInvalid) as err:
        raise SessionError(session, tracks_parquet, f"unreadable tracks.parquet ({err})") from None
    codes = t.column("person").combine_chunks().dictionary_encode()  # no Python string per row
    names = codes.dictionary.to_pylist()
    idx = codes.indices.to_numpy(zero_copy_only=False)
    frame = t.column("frame").to_numpy()
    has = t.column("has_face").to_numpy(zero_copy_only=False)
    out = {}
    for k, p in enumerate(names):
        m = idx == k
        order = np.argsort(frame[m], kind="stable")
        out[str(p)] = (frame[m][order], has[m][order])
    return out


def _window_fraction(track: tuple[np.ndarray, np.ndarray] | None, a: int, b: int) -> float:
    if track is None:
        return 0.0
    frames, has = track
    lo, hi = np.searchsorted(frames, a), np.searchsorted(frames, b)
    return float(has[lo:hi].sum()) / max(1, b - a)


def cut_clips_session(
    *,
    session: str,
    video: str | os.PathLike,
    media_json: str | os.PathLike,
    audio_wav: str | os.PathLike,
    layout_json: str | os.PathLike,
    tracks_parquet: str | os.PathLike,
    clips_parquet: str | os.PathLike,
    clips_dir: str | os.PathLike,
    transcript: str | os.PathLike | None = None,
    target_s: float = 10.0,
    min_s: float = 5.0,
    max_s: float = 15.0,
    silence_s: float = 10.0,
    preset: str = "ultrafast",
    crf: int = 23,
    audio_bitrate: str = "64k",
    x264_threads: int = 2,
) -> pa.Table:
    """Write the clip mp4s into ``clips_dir`` and their index ``clips_parquet`` (see docs/clips.md).

    ``x264_threads``: libx264 (frame) threads per clip encoder. x264's output depends on its thread
    count, so it is a fixed setting, not the job's core count: reruns stay byte-identical.
    """
    media = read_media(media_json, session)
    n_frames = int(media["n_frames"])
    fps = int(media.get("timeline_fps", TIMELINE_FPS))
    fw, fh = int(media["width"]), int(media["height"])
    spans = load_layout(layout_json, session, n_frames, fps)
    cues: list[Cue] = read_transcript(transcript, session) if transcript else []
    windows = session_windows(
        [(c.start, c.end) for c in cues], [(s.first_frame, s.end_frame) for s in spans], fps=fps,
        target_s=target_s, min_s=min_s, max_s=max_s, silence_s=silence_s,
    )
    log.info("session %s: %d cues, %d spans -> %d windows", session, len(cues), len(spans), len(windows))
    span_windows: list[list[int]] = [[] for _ in spans]
    for wi, (a, _) in enumerate(windows):
        k = next(i for i, s in enumerate(spans) if s.first_frame <= a < s.end_frame)
        span_windows[k].append(wi)

    window_cues = [[c.index for c in cues if c.start < b / fps and c.end > a / fps] for a, b in windows]
    clips_dir = Path(clips_dir)
    clips_dir.mkdir(parents=True, exist_ok=True)
    tracks = _face_fraction(tracks_parquet, session)
    rows: list[dict] = []
    plans: list[list[tuple[str, tuple[int, int, int, int], list[Path]]]] = []
    for k, sp in enumerate(spans):
        plan = []
        for t in sp.tiles:
            rect = t.clamped(fw, fh, even=True)
            if rect[2] < 2 or rect[3] < 2:
                log.warning("session '%s': tile %s of span %d is too small to encode (%s); no clips", session, t.id, k, rect)
                continue
            paths = []
            for wi in span_windows[k]:
                a, b = windows[wi]
                cid = clip_id(session, wi, t.id)
                paths.append(clips_dir / f"{cid}.mp4")
                rows.append(dict(
                    clip_id=cid, session=session, person=t.id, window=wi, start=a / fps, end=b / fps, n_frames=b - a,
                    face_fraction=_window_fraction(tracks.get(t.id), a, b), path=f"clips/{cid}.mp4",
                    utterances=window_cues[wi],
                    crop_x=rect[0], crop_y=rect[1], crop_w=rect[2], crop_h=rect[3],
                ))
            plan.append((t.id, rect, paths))
        plans.append(plan)

    probe_media(video, session)  # unreadable file / no video stream: one clear line before ffmpeg runs
    span_plans = [
        SpanPlan(sp.first_frame, sp.end_frame, tuple(windows[wi] for wi in span_windows[k]),
                 tuple(PersonPlan(rect, tuple(paths)) for _pid, rect, paths in plans[k] if paths))
        for k, sp in enumerate(spans)
    ]
    try:
        encode_clips(video, span_plans, audio_wav=audio_wav, n_frames=n_frames, fps=fps, preset=preset, crf=crf,
                     audio_bitrate=audio_bitrate, x264_threads=x264_threads)
    except EncodeError as err:
        path = video if err.decode_failed else audio_wav
        raise SessionError(session, path, f"cannot cut clips ({err.reason})") from None
    keep = {Path(r["path"]).name for r in rows}
    for old in clips_dir.glob("*.mp4"):  # this stage owns the folder: no stale clips from older runs
        if old.name not in keep:
            old.unlink()

    table = pa.Table.from_pylist(rows, schema=SCHEMA) if rows else SCHEMA.empty_table()
    meta = {
        "params": dict(target_s=target_s, min_s=min_s, max_s=max_s, silence_s=silence_s, preset=preset, crf=crf,
                       audio_bitrate=audio_bitrate, x264_threads=x264_threads),
        "n_windows": len(windows),
        "transcript": Path(transcript).name if transcript else None,
        "source_sha256": media.get("source_sha256"),
    }
    write_table(clips_parquet, table, stage="clips", meta=meta, sort_by=["window", "person"])
    return table
