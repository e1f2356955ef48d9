"""Read and check a hand-made ``sessions/<s>/layout.json`` (it replaces detection as-is).

The file has the results layout.json format (:class:`engage.contract.Layout`); tiles may give
``name`` and ``name_confidence``. On top of the contract's checks, an override must fit the recording.
"""

from __future__ import annotations

import json
import os

from engage.contract import Layout, LayoutError, span_from_json
from engage.errors import SessionError
from engage.io.textfile import read_text_input


def load_override(path: str | os.PathLike, *, session: str, frame_size: tuple[int, int], duration: float,
                  tol: float = 0.05) -> Layout:
    """Validated override layout with ``source: "override"``; SessionError names the first problem.

    Checks: JSON object with a non-empty ``spans`` list; spans start at 0, follow each other without
    gaps or overlaps and end at the recording's duration (within ``tol`` s); every tile has a string
    ``id`` and integer ``x, y, w, h`` (w, h > 0) inside the frame; ids are unique within a span;
    ``camera_on`` (default true) is a bool, ``name`` (default null) a string or null and
    ``name_confidence`` (default null) a number in [0, 1], null without a name; a given ``frame_size``
    must equal the video's. The last span may end up to 0.5 s off the duration.
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
    for k, raw in enumerate(doc["spans"]):
        try:
            span = span_from_json(raw, k)
        except LayoutError as err:
            raise bad(str(err)) from None
        if abs(span.start - t) > tol:
            raise bad(f"span {k} starts at {span.start} s but the previous span ends at {t} s (gap or overlap)")
        if span.end <= span.start:
            raise bad(f"span {k}: end {span.end} <= start {span.start}")
        for j, tile in enumerate(span.tiles):
            x, y, w, h = tile.rect
            if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > W or y + h > H:
                raise bad(f"span {k} tile {j} ({x},{y},{w},{h}) lies outside the {W}x{H} frame")
        spans.append(span)
        t = span.end
    if abs(t - duration) > max(tol, 0.5):
        raise bad(f"spans end at {t} s but the recording lasts {duration:.3f} s")
    return Layout("override", (W, H), tuple(spans))
