"""The dataset table: one row per labelled clip with every model input, the label and the split.

Schema (``<results>/dataset/<name>.parquet``, rows sorted by clip_id):
clip_id, session, person, identity, start, end (float64, NaN when unknown), label (HD|DE|EG|HE),
label_index (int8), split (train|val|test), face (list<float32>, the (3D, T) chunk statistics
flattened row-major), i3d (list<float32>), has_speech (bool), aud (list<float32>[7], zeros without
speech), text (list<float32>, zeros without speech; length 0 when no text features exist),
interaction (list<float32>, only when enabled). Parquet metadata: face_columns, n_chunks, min_frames,
dims, split seed and fractions, per-split counts, skipped clips, sources.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pyarrow as pa

from engage.contract import DATASET, FACE
from engage.errors import SessionError
from engage.identity import session_identity
from engage.io.parquet import read_meta
from engage.labels.files import read_label_file
from engage.labels.merge import read_merged_labels
from engage.model.features import session_clip_features, usable_face_columns
from engage.model.labels import LEVEL_INDEX, LEVELS
from engage.model.split import split_persons

log = logging.getLogger(__name__)


def read_labels(path: str | os.PathLike, session: str) -> dict[str, str]:
    """{clip_id: label} of a session: the merged labels of rule labels_merge (``.parquet``) or a labels.csv.

    Both go through engage.labels (one parser for every clip_id,label file; docs/labelling.md).
    """
    if str(path).endswith(".parquet"):
        return read_merged_labels(path, session)
    return read_label_file(path, session=session, what="labels.csv", allow_skip=False).labels


def split_counts(splits: list[str], labels: list[str]) -> dict[str, dict[str, int]]:
    """{split: {level: clips}} for the dataset metadata (train, val, test)."""
    return {sp: {lv: sum(1 for a, b in zip(splits, labels) if a == sp and b == lv) for lv in LEVELS}
            for sp in ("train", "val", "test")}


def build_table(rows: dict, labels: list[str], splits: list[str]) -> pa.Table:
    """Arrow table of the schema above from stacked feature arrays (see features.session_clip_features)."""
    n = len(rows["clip_id"])

    def flist(mat: np.ndarray) -> pa.Array:
        mat = np.asarray(mat, dtype=np.float32)
        width = int(np.prod(mat.shape[1:])) if mat.ndim > 1 else 0
        flat = np.ascontiguousarray(mat).reshape(-1)
        offsets = pa.array(np.arange(n + 1, dtype=np.int32) * width, pa.int32())
        return pa.ListArray.from_arrays(offsets, pa.array(flat, pa.float32()))

    cols = {
        "clip_id": pa.array(rows["clip_id"], pa.string()),
        "session": pa.array(rows["session"], pa.string()),
        "person": pa.array(rows["person"], pa.string()),
        "identity": pa.array(rows["identity"], pa.string()),
        "start": pa.array(np.asarray(rows["start"], dtype=np.float64)),
        "end": pa.array(np.asarray(rows["end"], dtype=np.float64)),
        "label": pa.array(labels, pa.string()),
        "label_index": pa.array([LEVEL_INDEX[x] if x is not None else None for x in labels], pa.int8()),
        "split": pa.array(splits, pa.string()),
        "face": flist(rows["face"]),
        "i3d": flist(rows["i3d"]),
        "has_speech": pa.array(np.asarray(rows["has_speech"], dtype=bool)),
        "aud": flist(rows["aud"]),
        "text": flist(rows["text"]),
    }
    if "interaction" in rows:
        cols["interaction"] = flist(rows["interaction"])
    return pa.table(cols)


def concat_rows(parts: list[dict]) -> dict:
    """Stack per-session feature dicts (text dims must agree; sessions without text get zeros)."""
    tdim = max((p["text"].shape[1] for p in parts), default=0)
    out = {}
    for k in ("clip_id", "session", "person", "identity"):
        out[k] = [x for p in parts for x in p[k]]
    for k in ("start", "end", "has_speech"):
        out[k] = np.concatenate([np.asarray(p[k]) for p in parts]) if parts else np.zeros(0)
    for k in ("face", "i3d", "aud"):
        out[k] = np.concatenate([p[k] for p in parts]) if parts else np.zeros((0, 0), np.float32)
    texts = []
    for p in parts:
        t = p["text"]
        if t.shape[1] not in (0, tdim):
            raise SessionError(p["session"][0] if p["session"] else None, None, f"text embedding size {t.shape[1]} differs from other sessions ({tdim})")
        texts.append(t if t.shape[1] == tdim else np.zeros((t.shape[0], tdim), np.float32))
    out["text"] = np.concatenate(texts) if texts else np.zeros((0, 0), np.float32)
    if parts and all("interaction" in p for p in parts):
        out["interaction"] = np.concatenate([p["interaction"] for p in parts])
    return out


def _shared_identities(rows: dict) -> dict[str, list[str]]:
    """{identity: sessions} of the identities seen in more than one session (for the metadata and the log)."""
    seen: dict[str, set] = {}
    for k, s in zip(rows["identity"], rows["session"]):
        seen.setdefault(k, set()).add(s)
    out = {k: sorted(v) for k, v in sorted(seen.items()) if len(v) > 1}
    if out:
        log.info("%d identit%s in several sessions, each in one split: %s", len(out), "y" if len(out) == 1 else "ies",
                 ", ".join(f"{k} ({len(v)})" for k, v in out.items()))
    return out


def select_rows(rows: dict, idx: np.ndarray) -> dict:
    out = {}
    for k, v in rows.items():
        if k == "interaction_columns":
            continue
        out[k] = [v[i] for i in idx] if isinstance(v, list) else np.asarray(v)[idx]
    return out


def build_dataset(
    *,
    sessions: list[str],
    session_dirs: list[str],
    label_files: list[str],
    output: str,
    name: str,
    face_patterns: list[str],
    n_chunks: int,
    min_frames: int,
    seed: int,
    test_fraction: float,
    val_fraction: float,
    unknown_clips: str = "error",
    interaction: bool = False,
) -> None:
    """Dataset stage: join the labelled sessions' features with labels and an identity-level split
    (one student, who may attend several sessions, is never in two splits)."""
    if not sessions:
        raise SessionError(None, output, "no labelled session (labels.csv or labels/<rater>.csv): nothing to build a "
                                         "dataset from")
    face_paths = [FACE.file_in(d) for d in session_dirs]
    face_columns = usable_face_columns(sessions, face_paths, face_patterns)
    if not face_columns:
        raise SessionError(None, face_paths[0], f"no face column matching {list(face_patterns)} has values in every session")
    log.info("face columns (D=%d): %s", len(face_columns), ", ".join(face_columns))
    parts, labels, skipped = [], [], []
    for s, d, lf in zip(sessions, session_dirs, label_files):
        lab = read_labels(lf, s)
        feat = session_clip_features(d, s, face_columns, n_chunks, min_frames, interaction=interaction)
        known = set(feat["clip_id"])
        unknown = sorted(set(lab) - known)
        if unknown:
            msg = f"{len(unknown)} labelled clip(s) not in clips.parquet, e.g. {unknown[0]}"
            if unknown_clips == "error":
                raise SessionError(s, lf, msg + " (set dataset.unknown_clips: skip to ignore them)")
            log.warning("session %s: %s; skipped", s, msg)
            skipped += unknown
        idx = np.asarray([i for i, c in enumerate(feat["clip_id"]) if c in lab], dtype=np.int64)
        part = select_rows(feat, idx)
        parts.append(part)
        labels += [lab[c] for c in part["clip_id"]]
        log.info("session %s: %d labelled clips of %d", s, len(idx), len(feat["clip_id"]))
    rows = concat_rows(parts)
    keys = [k or session_identity(s, p) for k, s, p in zip(rows["identity"], rows["session"], rows["person"])]
    rows["identity"] = keys
    assign = split_persons(keys, seed, test_fraction, val_fraction)
    splits = [assign[k] for k in keys]
    table = build_table(rows, labels, splits)
    counts = split_counts(splits, labels)
    meta = {
        "name": name,
        "source": "sessions",
        "sessions": list(sessions),
        "face_columns": face_columns,
        "face_patterns": list(face_patterns),
        "n_chunks": n_chunks,
        "min_frames": min_frames,
        "split_seed": seed,
        "test_fraction": test_fraction,
        "val_fraction": val_fraction,
        "split_counts": counts,
        "identities": {sp: sorted(k for k, v in assign.items() if v == sp) for sp in ("train", "val", "test")},
        "identities_in_several_sessions": _shared_identities(rows),
        "skipped_clips": skipped,
        "interaction_columns": parts[0].get("interaction_columns", []) if interaction and parts else [],
    }
    log.info("split counts: %s", counts)
    DATASET.write(output, table, meta=meta)


def load_dataset(path: str | os.PathLike) -> tuple[dict, dict]:
    """Read a dataset Parquet into numpy arrays: face (N, 3D, T), i3d, aud, text, has_speech, labels, split."""
    t = DATASET.read(path, session=None)
    meta = read_meta(path)
    return table_arrays(t, meta), meta


def _stack(col: pa.ChunkedArray, n: int) -> np.ndarray:
    flat = pa.concat_arrays([c.flatten() for c in col.chunks]) if col.num_chunks else pa.array([], pa.float32())
    flat = flat.to_numpy(zero_copy_only=False).astype(np.float32)
    return flat.reshape(n, -1) if n else flat.reshape(0, 0)


def table_arrays(t: pa.Table, meta: dict) -> dict:
    n = t.num_rows
    D3 = 3 * len(meta["face_columns"])
    out = {
        "clip_id": t.column("clip_id").to_pylist(),
        "identity": t.column("identity").to_pylist(),
        "split": t.column("split").to_pylist(),
        "labels": np.asarray(t.column("label_index").fill_null(-1).to_numpy(), dtype=np.int64),
        "face": _stack(t.column("face"), n).reshape(n, D3, int(meta["n_chunks"])),
        "i3d": _stack(t.column("i3d"), n),
        "aud": _stack(t.column("aud"), n),
        "text": _stack(t.column("text"), n),
        "has_speech": np.asarray(t.column("has_speech").to_numpy(zero_copy_only=False), dtype=bool),
    }
    if out["text"].size == 0:
        out["text"] = np.zeros((n, 0), np.float32)
    return out
