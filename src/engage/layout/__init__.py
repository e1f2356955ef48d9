"""Layout stage: find the gallery grid (tile rectangles per time span) in a recording.

Modules: ``evidence`` (per-pixel edge/temporal statistics), ``grid`` (fit rows of equal tiles),
``spans`` (streaming change detection), ``identity`` (person ids across spans), ``override``
(hand-made layout.json), ``stage`` (the Snakemake-facing function). See docs/layout.md.
"""

from engage.layout.stage import detect_layout, layout_session, tile_iou

__all__ = ["detect_layout", "layout_session", "tile_iou"]
