"""engage: engagement analytics for gallery-view recordings of online classes.

The Snakemake workflow in the repository root calls one function per stage;
all logic lives in this package so it can be tested and reused without Snakemake.
"""

__version__ = "0.1.0"

#: 25 fps CFR timeline every stage uses (CMOSE clips are 25 fps).
TIMELINE_FPS = 25

from engage.quiet import quiet_libraries  # noqa: E402  (before any native library is imported)

quiet_libraries()
