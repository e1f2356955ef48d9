"""Synthetic Zoom-like gallery recordings with known truth (for tests and benchmarks).

See :func:`engage.synth.gallery.make_gallery` and docs/layout.md ("Synthetic galleries").
"""

from engage.synth.gallery import default_sources, make_gallery, zoom_grid
from engage.synth.labels import default_names
from engage.synth.share import make_screen_share
from engage.synth.single import make_dark_clip, make_single

__all__ = ["make_gallery", "make_screen_share", "make_single", "make_dark_clip", "zoom_grid", "default_sources",
           "default_names"]
