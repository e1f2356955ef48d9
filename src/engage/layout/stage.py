"""Layout stage: ``results/<s>/layout.json`` from the recording (or from an override file)."""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import replace
from typing import Any

from engage import TIMELINE_FPS
from engage.contract import layout_of, read_media, write_layout
from engage.errors import SessionError
from engage.geometry import rect_iou
from engage.layout.evidence import frame_steps
from engage.layout.grid import FitParams, Rect
from engage.naming import normalize_name
from engage.layout.identity import assign_ids
from engage.layout.names import NameRead, NameReader
from engage.layout.scene_text import MODEL as SCENE_TEXT_MODEL, MODEL_SHA256 as SCENE_TEXT_SHA256, scene_text_reader
from engage.layout.ocr import OcrUnavailable
from engage.layout.override import load_override
from engage.layout.quality import small_tile_warnings
from engage.layout.sampling import frames_at, sample_frames
from engage.layout.snap import snap_rects
from engage.layout.spans import ClosedSpan, SpanTracker, frame_support
from engage.logutil import progress
from engage.media.decode import FrameReader

log = logging.getLogger(__name__)


def analysis_size(width: int, height: int, max_width: int, max_downscale: float = 2.0) -> tuple[int, int]:
    """Even-sized analysis frame with the display aspect: ``max_width`` wide, but downscaled by at
    most ``max_downscale`` (a 4-8 px gutter of a 1080p or 1440p gallery must stay at least two
    analysis pixels wide, or the tiles on both sides of it merge into one line)."""
    aw = min(width, max(max_width, math.ceil(width / max(1.0, float(max_downscale))))) // 2 * 2
    ah = max(2, int(round(height * aw / width / 2)) * 2)
    return aw, ah


def to_source(rect: Rect, scale: tuple[float, float], frame: tuple[int, int]) -> tuple[int, int, int, int]:
    """Analysis rectangle -> display pixels (edges scaled, then clipped to the frame)."""
    sx, sy = scale
    x0, y0 = round(rect[0] * sx), round(rect[1] * sy)
    x1, y1 = round((rect[0] + rect[2]) * sx), round((rect[1] + rect[3]) * sy)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(frame[0], x1), min(frame[1], y1)
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def still_times(span: ClosedSpan, n: int) -> list[float]:
    """``n`` frame times spread over the span's sampled stretch (away from its ends, where it changes)."""
    if not span.rects or n < 1:
        return []
    a, b = span.t_first, span.t_last
    return sorted({round((a + (b - a) * (i + 0.5) / n) * TIMELINE_FPS) / TIMELINE_FPS for i in range(n)})


def refine_change(video, session, t_a: float, t_b: float, old: list[Rect], new: list[Rect], size, params: FitParams,
                  threads: int) -> float:
    """First frame time in (t_a, t_b] where the new grid's borders beat the old ones."""
    reader = FrameReader(video, scale=size, start=t_a, duration=max(t_b - t_a, 0.0) + 0.5 / TIMELINE_FPS,
                         session=session, threads=threads)
    for i, frame in reader:
        steps = frame_steps(frame)
        t = i / TIMELINE_FPS
        if t > t_a + 1e-6 and frame_support(steps, new, params) > frame_support(steps, old, params):
            return t
    return t_b


def detect_layout(video: str | os.PathLike, *, session: str, width: int, height: int, duration: float,
                  sample_s: float = 1.0, sampling: str = "auto", keyframe_max_gap_s: float = 2.5, max_width: int = 640,
                  max_downscale: float = 2.0, min_span_samples: int = 3, refine: bool = True, id_max_distance: float = 30.0,
                  id_rejoin_max_distance: float = 12.0, names: bool = True, name_samples: int = 3,
                  names_recogniser: str | os.PathLike | None = SCENE_TEXT_MODEL,
                  names_recogniser_sha256: str | None = SCENE_TEXT_SHA256,
                  fit: FitParams | None = None, threads: int = 1, timings: dict | None = None) -> dict[str, Any]:
    """Detected layout of one recording (the layout.json document).

    ``names``: read the tiles' display names (OCR); ``name_samples``: full-resolution frames per
    span for the names and the exact tile edges; ``names_recogniser``: the second text recogniser's
    weights for labels Tesseract cannot read (:mod:`engage.layout.scene_text`; None: Tesseract only).
    ``timings``, when given, receives the seconds spent on those frames (``stills_s``), on edge
    snapping (``snap_s``) and on names (``names_s``, with ``ocr_calls`` and ``tiles_read``): the
    benchmark's split of the stage's time.
    """
    t_start = time.perf_counter()
    params = fit or FitParams()
    reader = None
    if names:
        try:
            second = scene_text_reader(str(names_recogniser), names_recogniser_sha256 or "") if names_recogniser else None
            reader = NameReader(second=second)
            if second is not None:
                log.info("names: Tesseract, then %s (sha256 %s) where it gives none", names_recogniser, second.sha256)
        except OcrUnavailable as exc:
            raise SessionError(session, video, f"cannot read tile names: {exc}") from None
    size = analysis_size(width, height, max_width, max_downscale)
    scale = (width / size[0], height / size[1])
    tracker = SpanTracker((size[1], size[0]), params, min_span_samples=min_span_samples)
    mode, total, samples = sample_frames(video, size, sample_s=sample_s, mode=sampling,
                                         keyframe_max_gap_s=keyframe_max_gap_s, session=session, threads=threads)
    if not total:
        total = int(math.ceil(duration / sample_s))
    for t, frame in progress(samples, total, f"layout samples ({mode})", log):
        tracker.add(t, frame)
    spans: list[ClosedSpan] = tracker.finish()
    if not spans:
        raise SessionError(session, video, "no frames could be decoded for layout detection")
    starts = [0.0]
    for a, b in zip(spans, spans[1:]):
        t = b.t_first
        if refine:
            t = refine_change(video, session, a.t_last, b.t_first, a.rects, b.rects, size, params, threads)
        starts.append(t)
    rects, reads = [], []
    t_stills = t_snap = 0.0
    for span in spans:
        coarse = [to_source(r, scale, (width, height)) for r in span.rects]
        t0 = time.perf_counter()
        stills = [f for _t, f in frames_at(video, still_times(span, name_samples), size=(width, height),
                                           session=session, threads=threads)]
        t1 = time.perf_counter()
        rects.append(snap_rects(coarse, stills, max(scale)))
        t_stills, t_snap = t_stills + t1 - t0, t_snap + time.perf_counter() - t1
        reads.append(reader.read_span(stills, rects[-1], span.camera_on) if reader else [NameRead() for _ in coarse])
    keys = [[normalize_name(r.name) or None for r in span_reads] for span_reads in reads]
    ids = assign_ids(spans, max_distance=id_max_distance, rejoin_max_distance=id_rejoin_max_distance, names=keys)
    out_spans = []
    for k, span in enumerate(spans):
        end = starts[k + 1] if k + 1 < len(spans) else float(duration)
        tiles = []
        for (x, y, w, h), pid, cam, read in zip(rects[k], ids[k], span.camera_on, reads[k]):
            tiles.append({"id": pid, "x": x, "y": y, "w": w, "h": h, "camera_on": bool(cam),
                          "name": read.name, "name_confidence": read.confidence})
        out_spans.append({"start": round(float(starts[k]), 6), "end": round(float(end), 6), "tiles": tiles})
        log.info("span %.2f-%.2f s: %d tiles (%s)", starts[k], end, len(tiles),
                 ", ".join(t["id"] + (f" {t['name']!r}" if t["name"] else "") for t in tiles))
    if not any(s["tiles"] for s in out_spans):
        log.warning("session '%s': no gallery grid found; layout has no tiles", session)
    if reader:
        n_tiles = sum(len(r) for r in rects)
        n_named = sum(t["name"] is not None for s in out_spans for t in s["tiles"])
        log.info("names: %d of %d tiles named; OCR %.2f s (%d recogniser calls), %.3f s per span, %.3f s per tile",
                 n_named, n_tiles, reader.seconds, reader.calls, reader.seconds / len(spans), reader.seconds / max(n_tiles, 1))
    if timings is not None:
        timings.update(total_s=time.perf_counter() - t_start, stills_s=t_stills, snap_s=t_snap,
                       names_s=reader.seconds if reader else 0.0, ocr_calls=reader.calls if reader else 0,
                       tiles_read=sum(len(r) for r in rects), spans=len(spans))
    return {"source": "detected", "frame_size": [int(width), int(height)], "spans": out_spans}


def layout_session(*, session: str, video: str | os.PathLike, media_json: str | os.PathLike, out_json: str | os.PathLike,
                   override: str | os.PathLike | None = None, sample_s: float = 1.0, sampling: str = "auto",
                   keyframe_max_gap_s: float = 2.5, max_width: int = 640, max_downscale: float = 2.0,
                   min_span_samples: int = 3, refine_changes: bool = True, id_max_distance: float = 30.0,
                   id_rejoin_max_distance: float = 12.0, names: bool = True, name_samples: int = 3,
                   names_recogniser: str | os.PathLike | None = SCENE_TEXT_MODEL,
                   names_recogniser_sha256: str | None = SCENE_TEXT_SHA256, min_tile_size: int = 90,
                   fit: dict | None = None, threads: int = 1) -> dict[str, Any]:
    """Write ``layout.json`` for one session: the override file if given, else detection (with its
    warnings, e.g. tiles smaller than ``min_tile_size``: :mod:`engage.layout.quality`)."""
    media = read_media(media_json, session=session)
    width, height, duration = media.width, media.height, media.duration
    if override:
        layout = load_override(override, session=session, frame_size=(width, height), duration=duration)
        log.info("session '%s': using layout override %s (%d spans)", session, override, len(layout.spans))
    else:
        doc = detect_layout(video, session=session, width=width, height=height, duration=duration, sample_s=sample_s,
                            sampling=sampling, keyframe_max_gap_s=keyframe_max_gap_s, max_width=max_width, max_downscale=max_downscale,
                            min_span_samples=min_span_samples, refine=refine_changes,
                            id_max_distance=id_max_distance, id_rejoin_max_distance=id_rejoin_max_distance,
                            names=names, name_samples=name_samples, names_recogniser=names_recogniser,
                            names_recogniser_sha256=names_recogniser_sha256, fit=FitParams(**(fit or {})), threads=threads)
        layout = layout_of(doc, session=session, path=out_json)
    layout = replace(layout, warnings=tuple(small_tile_warnings(layout, min_tile_size, session=session,
                                                                  path=override or video)))
    write_layout(out_json, layout)
    return layout.to_json()


def tile_iou(a: dict, b: dict) -> float:
    """IoU of two tile dicts (x, y, w, h) — used by tests and benchmarks."""
    return rect_iou((a["x"], a["y"], a["w"], a["h"]), (b["x"], b["y"], b["w"], b["h"]))


__all__ = ["layout_session", "detect_layout", "tile_iou", "analysis_size"]
