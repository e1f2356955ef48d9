"""Read and check a hand-made ``sessions/<s>/layout.json`` (it replaces detection as-is)."""

from __future__ import annotations

import json
import os
from typing import Any

from engage.errors import SessionError
from engage.io.textfile import read_text_input

TILE_KEYS = ("id", "x", "y", "w", "h")


def load_override(path: str | os.PathLike, *, session: str, frame_size: tuple[int, int], duration: float,
                  tol: float = 0.05) -> dict[str, Any]:
    """Validated override layout with ``source: "override"``; SessionError names the first problem.

    Checks: JSON object with a non-empty ``spans`` list; spans start at 0, follow each other without
    gaps or overlaps and end at the recording's duration (within ``tol`` s); every tile has a string
    ``id`` and integer ``x, y, w, h`` (w, h > 0) inside the frame; ids are unique within a span;
    ``camera_on`` (default true) is a bool and ``name`` (default null) a string or null; a given
    ``frame_size`` must equal the video's. The last span may end up to 0.5 s off the duration.
    """
    def bad(problem: str) -> SessionError:
        return SessionError(session, path, f"layout override: {problem}")

    text = read_text_input(path, session=session, what="layout override")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise bad(f"not valid JSON ({err})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("spans"), list) or not doc["spans"]:
        raise bad('expected an object with a non-empty "spans" list')
    W, H = int(frame_size[0]), int(frame_size[1])
    fs = doc.get("frame_size")
    if fs is not None and (not isinstance(fs, list) or [*fs] != [W, H]):
        raise bad(f"frame_size {fs} does not match the video ({W}x{H})")
    spans = []
    t = 0.0
    for k, span in enumerate(doc["spans"]):
        if not isinstance(span, dict):
            raise bad(f"span {k} is not an object")
        start, end = span.get("start"), span.get("end")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (start, end)):
            raise bad(f"span {k}: start/end must be numbers (seconds)")
        if abs(start - t) > tol:
            raise bad(f"span {k} starts at {start} s but the previous span ends at {t} s (gap or overlap)")
        if end <= start:
            raise bad(f"span {k}: end {end} <= start {start}")
        tiles = span.get("tiles")
        if not isinstance(tiles, list):
            raise bad(f'span {k}: "tiles" must be a list')
        out_tiles, seen = [], set()
        for j, tile in enumerate(tiles):
            where = f"span {k} tile {j}"
            if not isinstance(tile, dict) or any(key not in tile for key in TILE_KEYS):
                raise bad(f"{where}: needs keys {', '.join(TILE_KEYS)}")
            if not isinstance(tile["id"], str) or not tile["id"]:
                raise bad(f"{where}: id must be a non-empty string")
            if tile["id"] in seen:
                raise bad(f"{where}: duplicate id {tile['id']!r}")
            seen.add(tile["id"])
            x, y, w, h = (tile[key] for key in "xywh")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y, w, h)):
                raise bad(f"{where}: x, y, w, h must be integers")
            if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > W or y + h > H:
                raise bad(f"{where} ({x},{y},{w},{h}) lies outside the {W}x{H} frame")
            cam = tile.get("camera_on", True)
            name = tile.get("name")
            if not isinstance(cam, bool):
                raise bad(f"{where}: camera_on must be true/false")
            if name is not None and not isinstance(name, str):
                raise bad(f"{where}: name must be a string or null")
            out_tiles.append({"id": tile["id"], "x": x, "y": y, "w": w, "h": h, "camera_on": cam, "name": name})
        spans.append({"start": float(start), "end": float(end), "tiles": out_tiles})
        t = float(end)
    if abs(t - duration) > max(tol, 0.5):
        raise bad(f"spans end at {t} s but the recording lasts {duration:.3f} s")
    return {"source": "override", "frame_size": [W, H], "spans": spans}
