"""OpenFace 2.2 FeatureExtraction: the argument list (run in the container) and CSV collection (on the host).

FeatureExtraction is started once per batch of clips (several ``-f``) so the model loading cost
(~1-2 s) is paid per batch, not per clip. The container rule reads an argument file written here
(pairs of lines ``-f`` / ``<clip path>``) with ``xargs``; one CSV per clip appears in the output
folder, named after the clip file (``<clip_id>.csv``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pyarrow as pa

from engage.errors import SessionError
from engage.face.openface_csv import read_openface_csv
from engage.face.table import empty_table, openface_frame_table
from engage.io.atomic import write_text
from engage.io.parquet import write_table
from engage.face.clips_table import read_clips
from engage.logutil import progress

log = logging.getLogger(__name__)

#: Output switches matching CMOSE's features: 2D+3D landmarks, PDM params, pose, AUs, gaze (no HOG, no images).
FEATURE_FLAGS = ["-2Dfp", "-3Dfp", "-pdmparams", "-pose", "-aus", "-gaze"]


def write_argument_file(*, session: str, clips_parquet: str | os.PathLike, out: str | os.PathLike) -> int:
    """Write the xargs argument file for the container rule; returns the number of clips."""
    clips = read_clips(clips_parquet, session)
    lines = []
    for clip_id, video in clips:
        lines += ["-f", str(video)]
    write_text(out, "".join(line + "\n" for line in lines))
    log.info("%d clips listed for OpenFace", len(clips))
    return len(clips)


def collect_openface(*, session: str, clips_parquet: str | os.PathLike, csv_dir: str | os.PathLike,
                     output: str | os.PathLike, meta: dict) -> None:
    """Parse every clip's OpenFace CSV into face.parquet (one schema with the built-in backend)."""
    clips = read_clips(clips_parquet, session)
    tables = []
    for clip_id, video in progress(clips, len(clips), "openface csv", log):
        csv = Path(csv_dir) / f"{Path(video).stem}.csv"
        if not csv.exists():
            raise SessionError(session, csv, f"OpenFace wrote no CSV for clip {clip_id} (see the face_openface_run log)")
        tables.append(openface_frame_table(read_openface_csv(csv, session), clip_id))
    table = pa.concat_tables(tables) if tables else empty_table()
    write_table(output, table, stage="face", meta=meta, sort_by=["clip_id", "frame"])
