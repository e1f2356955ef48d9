"""The JSON files that cross a stage boundary: ``media.json`` (ingest) and ``layout.json`` (layout).

Each is a frozen dataclass with a typed reader (one-line :class:`~engage.errors.SessionError` for a
missing or malformed file) and a writer (atomic, sorted keys: stable bytes).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from engage import TIMELINE_FPS
from engage.errors import SessionError
from engage.io.atomic import write_json
from engage.workflow_support import SESSION_PATTERN

# ------------------------------------------------------------------------------------------ media.json


@dataclass(frozen=True)
class Media:
    """What ingest found in the recording (ffprobe summary) and the timeline every stage decodes on."""

    duration: float  # s
    width: int  # display pixels (after rotation)
    height: int
    n_frames: int  # timeline frames: round(duration * 25)
    fps: int = TIMELINE_FPS
    timeline_fps: int = TIMELINE_FPS
    avg_frame_rate: float | None = None
    r_frame_rate: float | None = None
    vfr: bool = False
    coded_width: int | None = None
    coded_height: int | None = None
    rotation: int = 0
    video_codec: str | None = None
    pix_fmt: str | None = None
    n_frames_source: int | None = None
    has_audio: bool = True
    audio_codec: str | None = None
    audio_sample_rate: int | None = None
    audio_channels: int | None = None
    audio_rate: int | None = None  # rate of audio.wav
    container: str | None = None
    size_bytes: int | None = None
    session: str | None = None
    source: str | None = None  # file name of the recording
    source_sha256: str | None = None
    decode_errors: int | None = None  # error messages of one full decode (None: not checked)
    decode_error_example: str | None = None
    frames_decoded: int | None = None  # source frames that full decode produced
    source_fps: float | None = None  # frames_decoded / duration (else avg_frame_rate)
    warnings: tuple[str, ...] = ()  # what the user must know about this recording (also in the report)

    def __post_init__(self):
        object.__setattr__(self, "warnings", tuple(str(w) for w in (self.warnings or ())))

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["warnings"] = list(self.warnings)
        return doc

    @property
    def frame_size(self) -> tuple[int, int]:
        return self.width, self.height


#: Fields every media.json must have (the others have defaults).
MEDIA_REQUIRED = ("duration", "width", "height", "n_frames")
MEDIA_FIELDS = tuple(f.name for f in fields(Media))


def _load_json(path: str | os.PathLike, session: str | None, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SessionError(session, path, f"{what} not found") from None
    except (OSError, ValueError) as err:
        raise SessionError(session, path, f"malformed {what} ({type(err).__name__}: {err})") from None


def read_media(path: str | os.PathLike, *, session: str | None) -> Media:
    """``media.json`` as :class:`Media`; SessionError when missing, not JSON or lacking a required field."""
    doc = _load_json(path, session, "media.json")
    if not isinstance(doc, dict):
        raise SessionError(session, path, "malformed media.json (not a JSON object)")
    missing = [k for k in MEDIA_REQUIRED if doc.get(k) is None]
    if missing:
        raise SessionError(session, path, f"media.json lacks {', '.join(missing)}")
    try:
        kw = {k: doc[k] for k in MEDIA_FIELDS if k in doc}
        if not isinstance(kw.get("warnings", []), list):
            raise TypeError("warnings is not a list")
        kw.update(duration=float(doc["duration"]), width=int(doc["width"]), height=int(doc["height"]),
                  n_frames=int(doc["n_frames"]))
    except (TypeError, ValueError) as err:
        raise SessionError(session, path, f"malformed media.json ({err})") from None
    return Media(**kw)


def write_media(path: str | os.PathLike, media: Media) -> None:
    write_json(path, media.to_json())


# ----------------------------------------------------------------------------------------- layout.json


class LayoutError(ValueError):
    """One problem of a layout document (the caller names the file and the session)."""


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


TILE_KEYS = ("id", "x", "y", "w", "h")


@dataclass(frozen=True)
class Tile:
    """One person's tile in a span: id (follows the person across spans), rectangle in display pixels.

    ``name`` is the display name read in the tile (or given by an override), null when unknown;
    ``name_confidence`` in [0, 1] says how sure the reading is, null whenever ``name`` is null (and
    when the name was given without one).
    """

    id: str
    x: int
    y: int
    w: int
    h: int
    camera_on: bool = True
    name: str | None = None
    name_confidence: float | None = None

    def __post_init__(self):
        problem = _tile_problem(self)
        if problem:
            raise LayoutError(problem)

    @property
    def rect(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.w, self.h

    def clamped(self, frame_w: int, frame_h: int, even: bool = False) -> tuple[int, int, int, int]:
        """The tile rectangle clipped to the frame; ``even`` rounds x/y up and w/h down to even numbers
        (what yuv420p crops and H.264 encoders need)."""
        x0, y0 = max(0, self.x), max(0, self.y)
        x1, y1 = min(frame_w, self.x + self.w), min(frame_h, self.y + self.h)
        if even:
            x0, y0 = x0 + (x0 & 1), y0 + (y0 & 1)
            x1, y1 = x0 + ((x1 - x0) // 2) * 2, y0 + ((y1 - y0) // 2) * 2
        return x0, y0, max(0, x1 - x0), max(0, y1 - y0)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: object) -> "Tile":
        """A tile from its JSON object; :class:`LayoutError` names the first problem."""
        if not isinstance(obj, dict) or any(key not in obj for key in TILE_KEYS):
            raise LayoutError(f"needs keys {', '.join(TILE_KEYS)}")
        conf = obj.get("name_confidence")
        return cls(obj["id"], obj["x"], obj["y"], obj["w"], obj["h"], obj.get("camera_on", True), obj.get("name"),
                   float(conf) if _is_number(conf) else conf)


#: Tile ids become parts of file names (clip ids, clip videos): the session-id pattern, at most this long.
MAX_TILE_ID_LENGTH = 64
_TILE_ID = re.compile(SESSION_PATTERN)


def tile_id_problem(tile_id: object) -> str | None:
    """Why ``tile_id`` cannot be a tile id (None when it can): the session-id pattern, 1-64 characters."""
    if not isinstance(tile_id, str) or not tile_id:
        return "id must be a non-empty string"
    shown = repr(tile_id if len(tile_id) <= 40 else tile_id[:40] + "...")
    if len(tile_id) > MAX_TILE_ID_LENGTH:
        return f"id {shown} is {len(tile_id)} characters long (at most {MAX_TILE_ID_LENGTH}: it is part of file names)"
    if not _TILE_ID.fullmatch(tile_id):
        return (f"id {shown} is not a safe name (letters, digits, '_', '.', '-', not starting with '.' or '-'; "
                f"pattern {SESSION_PATTERN}): it is part of file names")
    return None


def _tile_problem(t: Tile) -> str | None:
    problem = tile_id_problem(t.id)
    if problem:
        return problem
    if not all(_is_int(v) for v in (t.x, t.y, t.w, t.h)):
        return "x, y, w, h must be integers"
    if not isinstance(t.camera_on, bool):
        return "camera_on must be true/false"
    if t.name is not None and not isinstance(t.name, str):
        return "name must be a string or null"
    if t.name_confidence is not None:
        if not _is_number(t.name_confidence) or not 0.0 <= t.name_confidence <= 1.0:
            return "name_confidence must be a number in [0, 1] or null"
        if t.name is None:
            return "name_confidence must be null when name is null"
    return None


@dataclass(frozen=True)
class Span:
    """A time range with one gallery grid: ``[start, end)`` seconds and its tiles."""

    start: float
    end: float
    tiles: tuple[Tile, ...]

    def __post_init__(self):
        problem = _times_problem(self.start, self.end)
        if problem:
            raise LayoutError(problem)

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "tiles": [t.to_json() for t in self.tiles]}


def _times_problem(start: object, end: object) -> str | None:
    """Why ``start``/``end`` are not a span's times: finite numbers of seconds with start <= end."""
    for key, v in (("start", start), ("end", end)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return f"{key} must be a number of seconds, not {json.dumps(v)}"
        if not math.isfinite(v):
            shown = "NaN" if math.isnan(v) else "Infinity" if v > 0 else "-Infinity"
            return f"{key} is {shown} (times must be finite numbers of seconds)"
    if end < start:  # type: ignore[operator]
        return f"end {end} is before start {start}"
    return None


@dataclass(frozen=True)
class TimelineSpan(Span):
    """A span on the 25 fps timeline: frames ``[first_frame, end_frame)``."""

    first_frame: int = 0
    end_frame: int = 0  # exclusive

    def frames(self) -> range:
        return range(self.first_frame, self.end_frame)


@dataclass(frozen=True)
class Layout:
    """``layout.json``: the tile rectangles of each span, detected or from a session's override file."""

    source: str  # "detected" | "override"
    frame_size: tuple[int, int] | None
    spans: tuple[Span, ...]
    warnings: tuple[str, ...] = ()  # e.g. tiles too small for useful features (also in the report)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"source": self.source, "spans": [s.to_json() for s in self.spans],
                               "warnings": list(self.warnings)}
        if self.frame_size is not None:
            doc["frame_size"] = [int(self.frame_size[0]), int(self.frame_size[1])]
        return doc

    def names(self) -> list[tuple[str, str]]:
        """(person, name) for every tile with a name, in span and tile order."""
        return [(t.id, t.name) for s in self.spans for t in s.tiles if t.name]

    def timeline(self, n_frames: int, *, session: str | None, path: object = None,
                 fps: int = TIMELINE_FPS) -> list[TimelineSpan]:
        """The spans with their timeline frame ranges ``[round(start*fps), round(end*fps))``.

        Spans tile the timeline: rounding gaps/overlaps are closed and the last span is stretched to the
        timeline's last frame, so no frame is without a span. Spans without frames are left out.
        """
        spans = sorted(self.spans, key=lambda s: s.start)
        out: list[TimelineSpan] = []
        for k, s in enumerate(spans):
            f0 = max(0, int(round(s.start * fps)))
            f1 = n_frames if k == len(spans) - 1 else min(n_frames, int(round(s.end * fps)))
            if out and f0 != out[-1].end_frame:
                f0 = out[-1].end_frame
            if f1 <= f0:
                continue
            out.append(TimelineSpan(f0 / fps, f1 / fps, s.tiles, f0, f1))
        if not out:
            raise SessionError(session, path, "layout.json has no span covering the recording")
        return out

    @classmethod
    def from_json(cls, doc: object) -> "Layout":
        """A layout from its JSON document; :class:`LayoutError` names the first problem."""
        if not isinstance(doc, dict) or not isinstance(doc.get("spans"), list):
            raise LayoutError('expected an object with a "spans" list')
        fs = doc.get("frame_size")
        if fs is not None and (not isinstance(fs, list) or len(fs) != 2 or not all(_is_int(v) for v in fs)):
            raise LayoutError(f"frame_size {fs} is not [width, height]")
        spans = []
        for k, span in enumerate(doc["spans"]):
            spans.append(span_from_json(span, k))
        warnings = doc.get("warnings", [])
        if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
            raise LayoutError('"warnings" must be a list of strings')
        return cls(str(doc.get("source", "detected")), None if fs is None else (fs[0], fs[1]), tuple(spans),
                   tuple(warnings))


def span_from_json(span: object, k: int) -> Span:
    """Span ``k`` of a layout document; LayoutError names the span (and tile) with the problem."""
    if not isinstance(span, dict):
        raise LayoutError(f"span {k} is not an object")
    start, end = span.get("start"), span.get("end")
    problem = _times_problem(start, end)
    if problem:
        raise LayoutError(f"span {k}: {problem}")
    tiles = span.get("tiles")
    if not isinstance(tiles, list):
        raise LayoutError(f'span {k}: "tiles" must be a list')
    out: list[Tile] = []
    for j, tile in enumerate(tiles):
        try:
            t = Tile.from_json(tile)
        except LayoutError as err:
            raise LayoutError(f"span {k} tile {j}: {err}") from None
        if any(o.id == t.id for o in out):
            raise LayoutError(f"span {k} tile {j}: duplicate id {t.id!r}")
        out.append(t)
    return Span(float(start), float(end), tuple(out))


def layout_of(doc: Mapping[str, Any], *, session: str | None, path: object) -> Layout:
    """:meth:`Layout.from_json` with a LayoutError turned into the one-line SessionError."""
    try:
        return Layout.from_json(doc)
    except LayoutError as err:
        raise SessionError(session, path, f"malformed layout.json: {err}") from None


def read_layout(path: str | os.PathLike, *, session: str | None) -> Layout:
    """``layout.json`` as :class:`Layout`; SessionError when missing or malformed."""
    return layout_of(_load_json(path, session, "layout.json"), session=session, path=path)


def write_layout(path: str | os.PathLike, layout: Layout) -> None:
    write_json(path, layout.to_json())
