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

from engage.contract import DATASET
from engage.errors import SessionError
from engage.identity import session_identity
from engage.model.chunks import chunk_statistics
from engage.model.dataset import build_table, split_counts
from engage.model.features import face_frame_matrix, match_columns
from engage.model.labels import CMOSE_LABEL_TEXT
from engage.openface import read_openface_csv

log = logging.getLogger(__name__)

SAMPLE_RE = re.compile(r"video(\d+)_(\d+)_person(\d+)")
DEFAULT_SPLIT_MAP = {"train": "train", "unlabel": "val", "test": "test"}



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


def _read_samples(json_path) -> list[dict]:
    try:
        samples = json.loads(Path(json_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SessionError(None, json_path, f"cannot read CMOSE json ({err})") from None
    if not isinstance(samples, list):
        raise SessionError(None, json_path, "expected a JSON list of samples")
    return sorted(samples, key=lambda x: str(x.get("sample_id", "")))


class _Rows:
    """The dataset rows collected so far, the face columns (fixed by the first usable CSV) and the skips."""

    def __init__(self, face_patterns, n_chunks: int, min_frames: int):
        self.face_patterns, self.n_chunks, self.min_frames = face_patterns, n_chunks, min_frames
        self.face_columns: list[str] | None = None
        self.rows: dict[str, list] = {k: [] for k in ("clip_id", "session", "person", "start", "end", "face", "i3d",
                                                      "has_speech", "aud")}
        self.labels: list[str] = []
        self.splits: list[str] = []
        self.skipped: dict[str, list[str]] = {}

    def skip(self, why: str, sid: str) -> None:
        self.skipped.setdefault(why, []).append(str(sid))

    def add(self, sid: str, m: re.Match, df, emb, label: str, split: str, openface) -> None:
        if self.face_columns is None:
            self.face_columns = match_columns(list(df.columns), self.face_patterns)
            if not self.face_columns:
                raise SessionError(None, openface, f"CSV of {sid} has no column matching {list(self.face_patterns)}")
        if any(c not in df.columns for c in self.face_columns):
            self.skip("csv lacks face columns", sid)
            return
        cols = self.face_columns + (["success"] if "success" in df.columns else [])
        frames = face_frame_matrix(pa.Table.from_pandas(df[cols], preserve_index=False), self.face_columns)
        r = self.rows
        r["face"].append(chunk_statistics(frames, self.n_chunks, min_frames=self.min_frames))
        r["i3d"].append(np.asarray(emb, dtype=np.float32))
        r["clip_id"].append(sid)
        r["session"].append(f"video{m.group(1)}")
        r["person"].append(f"person{m.group(3)}")
        r["start"].append(np.nan)
        r["end"].append(np.nan)
        r["has_speech"].append(False)
        r["aud"].append(np.zeros(7, np.float32))
        self.labels.append(label)
        self.splits.append(split)


def _collect(samples: list[dict], source: CsvSource, split_map: dict, rows: _Rows, openface) -> None:
    """Add every usable sample to ``rows``; the others are recorded as skipped, with the reason."""
    for s in samples:
        sid = str(s.get("sample_id", ""))
        m = SAMPLE_RE.fullmatch(sid)
        label = CMOSE_LABEL_TEXT.get(str(s.get("label", "")).strip())
        split = split_map.get(str(s.get("split", "")))
        emb = s.get("embeds") or []
        why = ("bad sample_id" if not m else "unknown label" if label is None else "unknown split" if split is None
               else "no embeds" if len(emb) == 0 else None)
        if why:
            rows.skip(why, sid)
            continue
        try:
            df = source.read(sid)
        except SessionError:
            rows.skip("unreadable csv", sid)
            continue
        if df is None:
            rows.skip("no csv", sid)
            continue
        rows.add(sid, m, df, emb, label, split, openface)


def _persons_in_several_splits(keys: list[str], splits: list[str]) -> list[str]:
    seen: dict[str, set] = {}
    for k, sp in zip(keys, splits):
        seen.setdefault(k, set()).add(sp)
    shared = sorted(k for k, v in seen.items() if len(v) > 1)
    if shared:
        log.warning("CMOSE release split has %d person(s) in more than one split (kept as released), e.g. %s",
                    len(shared), shared[0])
    return shared


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
    samples = _read_samples(json_path)
    rows = _Rows(face_patterns, n_chunks, min_frames)
    _collect(samples, CsvSource(openface), split_map, rows, openface)
    for why, ids in rows.skipped.items():
        log.warning("CMOSE import: skipped %d sample(s) (%s), e.g. %s", len(ids), why, ids[0])
    labels, splits = rows.labels, rows.splits
    if not labels:
        raise SessionError(None, json_path, f"no usable CMOSE sample (skipped: { {k: len(v) for k, v in rows.skipped.items()} })")
    dims = {len(x) for x in rows.rows["i3d"]}
    if len(dims) != 1:
        raise SessionError(None, json_path, f"embeds have different lengths {sorted(dims)}")
    arr = {k: (np.stack(v) if k in ("face", "i3d", "aud") else v) for k, v in rows.rows.items()}
    arr["text"] = np.zeros((len(labels), 0), np.float32)
    keys = [session_identity(a, b) for a, b in zip(arr["session"], arr["person"])]
    arr["identity"] = keys  # the release's person key is its identity: video{X}/person{Z}
    shared = _persons_in_several_splits(keys, splits)
    counts = split_counts(splits, labels)
    meta = {
        "name": name,
        "source": "cmose_release",
        "json": str(json_path),
        "face_columns": rows.face_columns,
        "face_patterns": list(face_patterns),
        "n_chunks": n_chunks,
        "min_frames": min_frames,
        "split_map": split_map,
        "split_counts": counts,
        "skipped": rows.skipped,
        "persons_in_several_splits": shared,
    }
    DATASET.write(output, build_table(arr, labels, splits), meta=meta)
    return {"n": len(labels), "counts": counts, "skipped": rows.skipped}
