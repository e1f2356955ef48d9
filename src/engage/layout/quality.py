"""What the user must know about a layout: tiles too small for the features to mean much.

Why: a recording whose picture is small for its grid (a 640x360 export of a 5x5 gallery, a phone
screen recording) gives tiles of a few dozen pixels and faces of 20-30 px: detection may still find
them, but landmarks, gaze, eye openness and the active-speaker model's 112x112 face crops are
upscaled noise. The session runs; the warning is logged and shown in the report.
"""

from __future__ import annotations

import logging

from engage.contract import Layout

log = logging.getLogger(__name__)


def small_tile_warnings(layout: Layout, min_tile_size: int, *, session: str, path: object) -> list[str]:
    """One warning when camera-on tiles have a shorter side below ``min_tile_size`` display pixels."""
    tiles = [(k, t) for k, sp in enumerate(layout.spans) for t in sp.tiles if t.camera_on]
    small = [(k, t) for k, t in tiles if min(t.w, t.h) < min_tile_size]
    if not small:
        return []
    k, smallest = min(small, key=lambda kt: (min(kt[1].w, kt[1].h), kt[0], kt[1].id))
    size = f"{layout.frame_size[0]}x{layout.frame_size[1]} " if layout.frame_size else ""
    people = sorted({t.id for _, t in small})
    text = (f"{len(small)} of {len(tiles)} camera-on tiles ({', '.join(people[:8])}{' ...' if len(people) > 8 else ''}) "
            f"are smaller than layout.min_tile_size = {min_tile_size} px (smallest {smallest.w}x{smallest.h} in span "
            f"{k}): the {size}picture is too small for its grid, so face, gaze and speaking features of these "
            "people are unreliable; record the gallery at a higher resolution")
    log.warning("session '%s' (%s): %s", session, path, text)
    return [text]
