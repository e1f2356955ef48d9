"""Import the public CMOSE release into the dataset schema (engage.model.dataset).

Release format (huggingface.co/datasets/cwuau/CMOSE, README): ``final_data_1.json`` is a list of
``{"sample_id": "video{X}_{Y}_person{Z}", "split": "train"|"unlabel"|"test", "label": "Highly
Disengage"|"Disengage"|"Engage"|"Highly Engage", "embeds": [1024 floats] or []}``; the OpenFace
features of a sample are ``secondfeature/video{X}_{Y}_person{Z}.csv`` (gaze direction and angles,
head position and rotation, 17 AU intensities, 18 AU presences), given here as a folder or a zip.
"unlabel" is the authors' held-out split and maps to ``val`` by default.

Session = ``video{X}``, person = ``person{Z}``: the person-level identity used for splits.
Samples without embeds, without a CSV, with an unknown label or an unreadable CSV are reported
(log warning, ``skipped`` in the Parquet metadata) and skipped.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa

from engage.errors import SessionError
from engage.io.parquet import write_table
from engage.model.dataset import build_table, split_counts
from engage.model.features import chunk_statistics, face_frame_matrix, match_columns
from engage.model.labels import CMOSE_LABEL_TEXT
from engage.model.split import person_key

log = logging.getLogger(__name__)

SAMPLE_RE = re.compile(r"video(\d+)_(\d+)_person(\d+)")
DEFAULT_SPLIT_MAP = {"train": "train", "unlabel": "val", "test": "test"}

try:
    from engage.face.openface_csv import read_openface_csv
except ImportError:  # pragma: no cover - the face package provides it
    from engage.face import read_openface_csv  # type: ignore


class CsvSource:
    """Find ``<sample_id>.csv`` in a folder (any depth) or a zip archive."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.zip = None
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            self.zip = zipfile.ZipFile(self.path)
            names = [n for n in self.zip.namelist() if n.lower().endswith(".csv")]
        elif self.path.is_dir():
            names = [str(p) for p in sorted(self.path.rglob("*.csv"))]
        else:
            raise SessionError(None, self.path, "OpenFace CSV source is neither a folder nor a zip file")
        self.index = {}
        for n in sorted(names):
            self.index.setdefault(Path(n).stem, n)

    def read(self, sample_id: str):
        name = self.index.get(sample_id)
        if name is None:
            return None
        if self.zip is None:
            return read_openface_csv(name)
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / f"{sample_id}.csv"
            p.write_bytes(self.zip.read(name))
            return read_openface_csv(p)


def import_cmose(
    *,
    json_path: str | os.PathLike,
    openface: str | os.PathLike,
    output: str | os.PathLike,
    name: str = "cmose",
    face_patterns=("gaze_*", "pose_*", "AU*_r", "AU*_c"),
    n_chunks: int = 10,
    min_frames: int = 250,
    split_map: dict | None = None,
) -> dict:
    """Write the CMOSE release as a dataset Parquet; returns a summary (counts, skipped)."""
    split_map = dict(split_map or DEFAULT_SPLIT_MAP)
    try:
        samples = json.loads(Path(json_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SessionError(None, json_path, f"cannot read CMOSE json ({err})") from None
    if not isinstance(samples, list):
        raise SessionError(None, json_path, "expected a JSON list of samples")
    source = CsvSource(openface)
    skipped: dict[str, list[str]] = {}
    face_columns = None
    rows = {k: [] for k in ("clip_id", "session", "person", "start", "end", "face", "i3d", "has_speech", "aud")}
    labels, splits = [], []

    def skip(why, sid):
        skipped.setdefault(why, []).append(str(sid))

    for s in sorted(samples, key=lambda x: str(x.get("sample_id", ""))):
        sid = str(s.get("sample_id", ""))
        m = SAMPLE_RE.fullmatch(sid)
        if not m:
            skip("bad sample_id", sid)
            continue
        lab = CMOSE_LABEL_TEXT.get(str(s.get("label", "")).strip())
        if lab is None:
            skip("unknown label", sid)
            continue
        split = split_map.get(str(s.get("split", "")))
        if split is None:
            skip("unknown split", sid)
            continue
        emb = s.get("embeds") or []
        if len(emb) == 0:
            skip("no embeds", sid)
            continue
        try:
            df = source.read(sid)
        except SessionError:
            skip("unreadable csv", sid)
            continue
        if df is None:
            skip("no csv", sid)
            continue
        if face_columns is None:
            face_columns = match_columns(list(df.columns), face_patterns)
            if not face_columns:
                raise SessionError(None, openface, f"CSV of {sid} has no column matching {list(face_patterns)}")
        if any(c not in df.columns for c in face_columns):
            skip("csv lacks face columns", sid)
            continue
        tbl = pa.Table.from_pandas(df[face_columns + (["success"] if "success" in df.columns else [])], preserve_index=False)
        frames = face_frame_matrix(tbl, face_columns)
        rows["face"].append(chunk_statistics(frames, n_chunks, min_frames=min_frames))
        rows["i3d"].append(np.asarray(emb, dtype=np.float32))
        rows["clip_id"].append(sid)
        rows["session"].append(f"video{m.group(1)}")
        rows["person"].append(f"person{m.group(3)}")
        rows["start"].append(np.nan)
        rows["end"].append(np.nan)
        rows["has_speech"].append(False)
        rows["aud"].append(np.zeros(7, np.float32))
        labels.append(lab)
        splits.append(split)
    for why, ids in skipped.items():
        log.warning("CMOSE import: skipped %d sample(s) (%s), e.g. %s", len(ids), why, ids[0])
    if not labels:
        raise SessionError(None, json_path, f"no usable CMOSE sample (skipped: { {k: len(v) for k, v in skipped.items()} })")
    dims = {len(x) for x in rows["i3d"]}
    if len(dims) != 1:
        raise SessionError(None, json_path, f"embeds have different lengths {sorted(dims)}")
    n = len(labels)
    arr = {k: (np.stack(v) if k in ("face", "i3d", "aud") else v) for k, v in rows.items()}
    arr["text"] = np.zeros((n, 0), np.float32)
    keys = [person_key(a, b) for a, b in zip(arr["session"], arr["person"])]
    leak = {}
    for k, sp in zip(keys, splits):
        leak.setdefault(k, set()).add(sp)
    shared = sorted(k for k, v in leak.items() if len(v) > 1)
    if shared:
        log.warning("CMOSE release split has %d person(s) in more than one split (kept as released), e.g. %s", len(shared), shared[0])
    table = build_table(arr, labels, splits, keys)
    counts = split_counts(splits, labels)
    meta = {
        "name": name,
        "source": "cmose_release",
        "json": str(json_path),
        "face_columns": face_columns,
        "face_patterns": list(face_patterns),
        "n_chunks": n_chunks,
        "min_frames": min_frames,
        "split_map": split_map,
        "split_counts": counts,
        "skipped": skipped,
        "persons_in_several_splits": shared,
    }
    write_table(output, table, stage="dataset", meta=meta, sort_by=["clip_id"])
    return {"n": n, "counts": counts, "skipped": skipped}
