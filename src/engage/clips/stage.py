"""Clips stage: utterance-aligned windows and one tile-crop mp4 per person and window.

One decode of the recording for the whole session: each frame is cropped in numpy into every
tile of the current layout span and piped to that person's encoder (:class:`SpanEncoder`), which
splits its stream into the span's windows. See docs/clips.md.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from engage import TIMELINE_FPS
from engage.clips.encode import SpanEncoder
from engage.clips.windows import session_windows
from engage.errors import SessionError
from engage.io.parquet import write_table
from engage.logutil import progress
from engage.media.decode import FrameReader
from engage.tracks.spans import Span, load_layout
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


class _Cropper:
    """Bytes of a tile crop from a decoded frame (I420 planes or BGR)."""

    def __init__(self, frame_w: int, frame_h: int, yuv: bool):
        self.w, self.h, self.yuv = frame_w, frame_h, yuv

    def __call__(self, frame: np.ndarray, x: int, y: int, w: int, h: int) -> bytes:
        if not self.yuv:
            return frame[y : y + h, x : x + w].tobytes()
        fw, fh = self.w, self.h
        flat = frame.reshape(-1)
        luma = flat[: fw * fh].reshape(fh, fw)
        q = (fw // 2) * (fh // 2)
        u = flat[fw * fh : fw * fh + q].reshape(fh // 2, fw // 2)
        v = flat[fw * fh + q : fw * fh + 2 * q].reshape(fh // 2, fw // 2)
        cx, cy, cw, ch = x // 2, y // 2, w // 2, h // 2
        return b"".join(
            (luma[y : y + h, x : x + w].tobytes(), u[cy : cy + ch, cx : cx + cw].tobytes(), v[cy : cy + ch, cx : cx + cw].tobytes())
        )


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
) -> pa.Table:
    """Write the clip mp4s into ``clips_dir`` and their index ``clips_parquet`` (see docs/clips.md)."""
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

    _encode(video, session, spans, windows, span_windows, plans, n_frames, fw, fh, audio_wav, fps,
            dict(preset=preset, crf=crf, audio_bitrate=audio_bitrate))
    keep = {Path(r["path"]).name for r in rows}
    for old in clips_dir.glob("*.mp4"):  # this stage owns the folder: no stale clips from older runs
        if old.name not in keep:
            old.unlink()

    table = pa.Table.from_pylist(rows, schema=SCHEMA) if rows else SCHEMA.empty_table()
    meta = {
        "params": dict(target_s=target_s, min_s=min_s, max_s=max_s, silence_s=silence_s, preset=preset, crf=crf,
                       audio_bitrate=audio_bitrate),
        "n_windows": len(windows),
        "transcript": Path(transcript).name if transcript else None,
        "source_sha256": media.get("source_sha256"),
    }
    write_table(clips_parquet, table, stage="clips", meta=meta, sort_by=["window", "person"])
    return table


def _encode(video, session, spans: list[Span], windows, span_windows, plans, n_frames, fw, fh, audio_wav, fps, enc_kw):
    """One decode pass; per span, one encoder per person fed with its tile crop."""
    yuv = fw % 2 == 0 and fh % 2 == 0
    crop = _Cropper(fw, fh, yuv)
    reader = FrameReader(video, session=session, pix_fmt="yuv420p" if yuv else None)
    open_encoders: list[tuple[SpanEncoder, tuple[int, int, int, int]]] = []
    span_k = -1
    last: np.ndarray | None = None

    def start_span(k: int) -> None:
        for enc, _ in open_encoders:
            enc.finish()
        open_encoders.clear()
        for _pid, rect, paths in plans[k]:
            wins = [windows[wi] for wi in span_windows[k]]
            if not wins:
                continue
            enc = SpanEncoder(size=(rect[2], rect[3]), pix_fmt="yuv420p" if yuv else "bgr24", windows=wins,
                              out_paths=paths, audio_wav=audio_wav, fps=fps, **enc_kw)
            open_encoders.append((enc, rect))

    def feed(frame: np.ndarray) -> None:
        for enc, rect in open_encoders:
            enc.write(crop(frame, *rect))

    decoded = 0
    try:
        for idx, frame in progress(reader, n_frames, "clips: frames", log):
            if idx >= n_frames:
                break
            decoded += 1
            while span_k + 1 < len(spans) and idx >= spans[span_k + 1].first_frame:
                span_k += 1
                start_span(span_k)
            feed(frame)
            last = frame
        if last is None:
            raise SessionError(session, video, "no decodable frames (corrupt or truncated video)")
        if decoded < n_frames:
            log.warning("session '%s': decoder gave %d of %d timeline frames; repeating the last frame", session, decoded,
                        n_frames)
            for idx in range(decoded, n_frames):
                while span_k + 1 < len(spans) and idx >= spans[span_k + 1].first_frame:
                    span_k += 1
                    start_span(span_k)
                feed(last)
        for enc, _ in open_encoders:
            enc.finish()
        open_encoders.clear()
    except BaseException:
        for enc, _ in open_encoders:
            enc.abort()
        raise
