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

from engage.clips.encode import EncodeError, PersonPlan, SpanPlan, encode_clips
from engage.clips.windows import session_windows
from engage.contract import CLIPS, TRACKS, Clip, TimelineSpan, Utterance, clips_table, read_cues, read_layout, read_media
from engage.errors import SessionError
from engage.identity import MIN_NAME_CONFIDENCE, layout_tile_names, read_participants, resolve_identities
from engage.intervals import per_window
from engage.io.parquet import read_meta
from engage.media.probe import probe_media

log = logging.getLogger(__name__)

def clip_id(session: str, window: int, person: str) -> str:
    return f"{session}_{window:04d}_{person}"


def _face_fraction(tracks_parquet, session: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """person -> (frames, has_face) from tracks.parquet."""
    t = TRACKS.read(tracks_parquet, session=session, columns=["person", "frame", "has_face"])
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


def _windows_by_span(windows: list[tuple[int, int]], spans: list[TimelineSpan]) -> list[list[int]]:
    """Indices of the windows in each span (a window never crosses a span boundary)."""
    out: list[list[int]] = [[] for _ in spans]
    for wi, (a, _) in enumerate(windows):
        k = next(i for i, s in enumerate(spans) if s.first_frame <= a < s.end_frame)
        out[k].append(wi)
    return out


def _window_cues(windows: list[tuple[int, int]], cues: list[Utterance], fps: int) -> list[tuple[int, ...]]:
    """Per window, the indices of the cues overlapping it (``start < end_w`` and ``end > start_w``), ascending."""
    if not windows:
        return []
    w = np.asarray(windows, np.float64) / fps
    index = np.asarray([c.utterance for c in cues], np.int64)
    groups = per_window(w[:, 0], w[:, 1], np.asarray([c.start for c in cues]), np.asarray([c.end for c in cues]))
    return [tuple(sorted(index[g].tolist())) for g in groups]


def _plan_clips(session: str, spans: list[TimelineSpan], windows: list[tuple[int, int]], cues: list[Utterance],
                tracks_parquet, frame_size: tuple[int, int], clips_dir: Path, fps: int,
                identity: dict[str, str] | None = None) -> tuple[list[Clip], list[SpanPlan]]:
    """The clips table rows and, per span, what the encoder cuts (tiles too small to encode get no clips)."""
    by_span = _windows_by_span(windows, spans)
    window_cues = _window_cues(windows, cues, fps)
    tracks = _face_fraction(tracks_parquet, session)
    clips: list[Clip] = []
    span_plans = []
    for k, sp in enumerate(spans):
        persons = []
        for t in sp.tiles:
            rect = t.clamped(*frame_size, even=True)
            if rect[2] < 2 or rect[3] < 2:
                log.warning("session '%s': tile %s of span %d is too small to encode (%s); no clips", session, t.id, k, rect)
                continue
            paths = []
            for wi in by_span[k]:
                a, b = windows[wi]
                cid = clip_id(session, wi, t.id)
                paths.append(clips_dir / f"{cid}.mp4")
                clips.append(Clip(cid, session, t.id, wi, a / fps, b / fps, b - a,
                                  _window_fraction(tracks.get(t.id), a, b), f"clips/{cid}.mp4", window_cues[wi], rect,
                                  (identity or {}).get(t.id, "")))
            if paths:
                persons.append(PersonPlan(rect, tuple(paths)))
        span_plans.append(SpanPlan(sp.first_frame, sp.end_frame, tuple(windows[wi] for wi in by_span[k]), tuple(persons)))
    return clips, span_plans


def _remove_stale(clips_dir: Path, clips: list[Clip]) -> None:
    """This stage owns the folder: no stale clips from older runs."""
    keep = {Path(c.path).name for c in clips}
    for old in clips_dir.glob("*.mp4"):
        if old.name not in keep:
            old.unlink()


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
    cues: str | os.PathLike | None = None,
    participants: str | os.PathLike | None = None,
    from_names: bool = True,
    min_name_confidence: float = MIN_NAME_CONFIDENCE,
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
    ``participants`` (participants.csv), ``from_names`` and ``min_name_confidence`` give each person
    the ``identity`` column (engage.identity).
    """
    media = read_media(media_json, session=session)
    n_frames, fps = media.n_frames, media.timeline_fps
    layout = read_layout(layout_json, session=session)
    spans = layout.timeline(n_frames, session=session, path=layout_json, fps=fps)
    identities = resolve_identities(
        session, [t.id for s in layout.spans for t in s.tiles],
        participants=read_participants(participants, session) if participants else [],
        tile_names=layout_tile_names(layout), from_names=from_names, min_name_confidence=min_name_confidence)
    cue_rows: list[Utterance] = read_cues(cues, session=session) if cues else []
    windows = session_windows(
        [(c.start, c.end) for c in cue_rows], [(s.first_frame, s.end_frame) for s in spans], fps=fps,
        target_s=target_s, min_s=min_s, max_s=max_s, silence_s=silence_s,
    )
    log.info("session %s: %d cues, %d spans -> %d windows", session, len(cue_rows), len(spans), len(windows))
    clips_dir = Path(clips_dir)
    clips_dir.mkdir(parents=True, exist_ok=True)
    clips, span_plans = _plan_clips(session, spans, windows, cue_rows, tracks_parquet, media.frame_size, clips_dir, fps,
                                    identities.identity)

    probe_media(video, session)  # unreadable file / no video stream: one clear line before ffmpeg runs
    try:
        encode_clips(video, span_plans, audio_wav=audio_wav, n_frames=n_frames, fps=fps, preset=preset, crf=crf,
                     audio_bitrate=audio_bitrate, x264_threads=x264_threads)
    except EncodeError as err:
        path = video if err.decode_failed else audio_wav
        raise SessionError(session, path, f"cannot cut clips ({err.reason})") from None
    _remove_stale(clips_dir, clips)

    table = clips_table(clips)
    meta = {
        "params": dict(target_s=target_s, min_s=min_s, max_s=max_s, silence_s=silence_s, preset=preset, crf=crf,
                       audio_bitrate=audio_bitrate, x264_threads=x264_threads, from_names=from_names,
                       min_name_confidence=min_name_confidence),
        "n_windows": len(windows),
        "participants": Path(participants).name if participants else None,
        "identities": identities.meta(),
        "transcript": read_meta(cues).get("transcript") if cues else None,
        "source_sha256": media.source_sha256,
    }
    CLIPS.write(clips_parquet, table, meta=meta)
    return table
