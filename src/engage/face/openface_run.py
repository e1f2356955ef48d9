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

from engage.contract import FACE, clip_videos, read_clips
from engage.errors import SessionError
from engage.face.evidence import evidence_summary, face_evidence
from engage.face.table import openface_frame_table
from engage.io.atomic import write_text
from engage.logutil import progress
from engage.openface import read_openface_csv

log = logging.getLogger(__name__)

#: Output switches matching CMOSE's features: 2D+3D landmarks, PDM params, pose, AUs, gaze (no HOG, no images).
FEATURE_FLAGS = ["-2Dfp", "-3Dfp", "-pdmparams", "-pose", "-aus", "-gaze"]


def _clip_videos(clips_parquet, session: str) -> list[tuple[str, Path]]:
    clips = read_clips(clips_parquet, session=session)
    return [(c.clip_id, v) for c, v in zip(clips, clip_videos(clips_parquet, clips, session=session))]


def write_argument_file(*, session: str, clips_parquet: str | os.PathLike, out: str | os.PathLike) -> int:
    """Write the xargs argument file for the container rule; returns the number of clips."""
    clips = _clip_videos(clips_parquet, session)
    lines = []
    for _clip_id, video in clips:
        lines += ["-f", str(video)]
    write_text(out, "".join(line + "\n" for line in lines))
    log.info("%d clips listed for OpenFace", len(clips))
    return len(clips)


def collect_openface(*, session: str, clips_parquet: str | os.PathLike, tracks_parquet: str | os.PathLike,
                     layout_json: str | os.PathLike, csv_dir: str | os.PathLike, output: str | os.PathLike,
                     container: str, binary: str, batch_size: int) -> None:
    """Parse every clip's OpenFace CSV into face.parquet (one schema with the built-in backend).

    As for the built-in backend, a frame keeps OpenFace's ``success`` only where the layout marks the
    tile camera-on and tracks.parquet has a face (:mod:`engage.face.evidence`).
    """
    clip_rows = read_clips(clips_parquet, session=session)
    clips = [(c.clip_id, v) for c, v in zip(clip_rows, clip_videos(clips_parquet, clip_rows, session=session))]
    evidence = face_evidence(clip_rows, tracks_parquet=tracks_parquet, layout_json=layout_json, session=session)
    tables = []
    for clip_id, video in progress(clips, len(clips), "openface csv", log):
        csv = Path(csv_dir) / f"{Path(video).stem}.csv"
        if not csv.exists():
            raise SessionError(session, csv, f"OpenFace wrote no CSV for clip {clip_id} (see the face_openface_run log)")
        tables.append(openface_frame_table(read_openface_csv(csv, session), clip_id, evidence[clip_id].allowed))
    table = pa.concat_tables(tables) if tables else FACE.empty()
    meta = {
        "backend": "openface",
        "model": "OpenFace 2.2 FeatureExtraction",
        "backend_version": container,
        "weights_sha256": "inside-container-image",
        "params": {"binary": binary, "flags": FEATURE_FLAGS, "batch_size": batch_size},
        "session": session,
        "evidence": evidence_summary(evidence),
    }
    FACE.write(output, table, meta=meta)
