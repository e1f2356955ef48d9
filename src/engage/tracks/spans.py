"""Read ``layout.json`` (see docs/data-contract.md) into spans of tiles on the 25 fps timeline.

Shared by the tracks and clips stages: a span is a time range during which the gallery grid is
constant; its tiles are person ids (``p00``...) with rectangles in display pixels. Frame ranges are
``[round(start*fps), round(end*fps))``; the last span is stretched to the timeline's last frame so
rounding never leaves a frame without a span.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from engage import TIMELINE_FPS
from engage.errors import SessionError


@dataclass(frozen=True)
class Tile:
    id: str
    x: int
    y: int
    w: int
    h: int
    camera_on: bool = True

    def clamped(self, frame_w: int, frame_h: int, even: bool = False) -> tuple[int, int, int, int]:
        """The tile rectangle clipped to the frame; ``even`` rounds x/y up and w/h down to even numbers
        (what yuv420p crops and H.264 encoders need)."""
        x0, y0 = max(0, self.x), max(0, self.y)
        x1, y1 = min(frame_w, self.x + self.w), min(frame_h, self.y + self.h)
        if even:
            x0, y0 = x0 + (x0 & 1), y0 + (y0 & 1)
            x1, y1 = x0 + ((x1 - x0) // 2) * 2, y0 + ((y1 - y0) // 2) * 2
        return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    tiles: tuple[Tile, ...]
    first_frame: int
    end_frame: int  # exclusive

    def frames(self) -> range:
        return range(self.first_frame, self.end_frame)


def load_layout(path: str | os.PathLike, session: str | None, n_frames: int, fps: int = TIMELINE_FPS) -> list[Span]:
    """Spans of ``layout.json`` with their timeline frame ranges; :class:`SessionError` if malformed."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        raw_spans = doc["spans"]
        spans = []
        for s in raw_spans:
            tiles = tuple(
                Tile(str(t["id"]), int(t["x"]), int(t["y"]), int(t["w"]), int(t["h"]), bool(t.get("camera_on", True)))
                for t in s["tiles"]
            )
            spans.append((float(s["start"]), float(s["end"]), tiles))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise SessionError(session, path, f"malformed layout.json ({type(err).__name__}: {err})") from None
    spans.sort(key=lambda s: s[0])
    out: list[Span] = []
    for k, (start, end, tiles) in enumerate(spans):
        ids = [t.id for t in tiles]
        if len(set(ids)) != len(ids):
            raise SessionError(session, path, f"layout span {k} repeats a tile id ({ids})")
        f0 = max(0, int(round(start * fps)))
        f1 = n_frames if k == len(spans) - 1 else min(n_frames, int(round(end * fps)))
        if out and f0 != out[-1].end_frame:
            f0 = out[-1].end_frame  # spans must tile the timeline: close rounding gaps/overlaps
        if f1 <= f0:
            continue
        out.append(Span(f0 / fps, f1 / fps, tiles, f0, f1))
    if not out:
        raise SessionError(session, path, "layout.json has no span covering the recording")
    return out


def span_of_frame(spans: list[Span], frame: int) -> Span | None:
    for s in spans:
        if s.first_frame <= frame < s.end_frame:
            return s
    return None
