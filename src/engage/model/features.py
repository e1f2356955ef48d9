"""Per-clip model inputs from a session's feature files (data contract, docs/data-contract.md).

One row per clip of ``clips.parquet``: face chunk statistics ps (3D x T), I3D embedding, has_speech,
text embedding and X_aud. Used by the dataset stage (labelled clips) and by predict (every clip), so
training and inference see identical features.

Face columns: the configured patterns (default gaze_*, pose_*, AU*_r, AU*_c: the OpenFace features
the CMOSE release lists) matched against the face table, keeping only columns with at least one
non-null value in *every* session (the built-in backend's all-null AU columns are dropped everywhere,
so all rows share one column set). Frames: all of the clip in frame order; failed frames and nulls are
NaN, which engage.model.chunks.chunk_statistics ignores (a clip without any face gives zeros).
"""

from __future__ import annotations

import fnmatch
import logging
import os
from pathlib import Path

import numpy as np
import pyarrow as pa

from engage.contract import ACOUSTICS, CLIP_SPEECH, CLIPS, FACE, I3D, INTERACTION, TEXT, TableSpec
from engage.errors import SessionError
from engage.io.parquet import read_meta
from engage.model.chunks import chunk_statistics

log = logging.getLogger(__name__)

DEFAULT_FACE_PATTERNS = ("gaze_*", "pose_*", "AU*_r", "AU*_c")
AUD_COLUMNS = ("L", "Hv", "Lv", "Hp", "Lp", "std_v", "std_p")  # paper eq. 6


def match_columns(columns, patterns) -> list[str]:
    """Columns matching any glob pattern, in the table's column order."""
    return [c for c in columns if any(fnmatch.fnmatchcase(c, p) for p in patterns)]


def usable_face_columns(sessions: list[str], face_paths, patterns) -> list[str]:
    """Matched columns that have a non-null value in every given face.parquet (consistent set)."""
    keep = None
    for session, path in zip(sessions, face_paths):
        cols = match_columns(FACE.names, patterns)
        t = FACE.read(path, session=session, columns=cols)
        ok = [c for c in cols if t.num_rows == 0 or t.column(c).null_count < t.num_rows]
        keep = ok if keep is None else [c for c in keep if c in ok]
    return keep or []


def face_frame_matrix(tbl: pa.Table, columns: list[str]) -> np.ndarray:
    """(N, D) float32 of all frames; failed frames (``success`` false) and nulls become NaN.

    NaN marks "no face" for chunk_statistics, which ignores it inside a chunk (all-NaN chunk -> 0).
    OpenFace writes zeros for failed frames, so this also keeps those zeros out of the statistics.
    """
    if tbl.num_rows == 0:
        return np.zeros((0, len(columns)), dtype=np.float32)
    mat = np.stack([np.asarray(tbl.column(c).to_numpy(zero_copy_only=False), dtype=np.float32) for c in columns], axis=1)
    if "success" in tbl.column_names:
        ok = np.asarray(tbl.column("success").fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
        mat[~ok] = np.nan
    return mat


def _read(spec: TableSpec, session_dir: Path, session: str, columns=None, optional: bool = False) -> pa.Table | None:
    """A feature table of the session, or None for an optional one the session does not have."""
    path = spec.file_in(session_dir)
    if optional and not path.exists():
        return None
    return spec.read(path, session=session, columns=columns)


def _list_matrix(col: pa.ChunkedArray, dim: int | None) -> tuple[np.ndarray, np.ndarray]:
    """List column -> (N, dim) float32 and a mask of rows that had a value."""
    vals = col.to_pylist()
    if dim is None:
        dim = next((len(v) for v in vals if v is not None and len(v)), 0)
    out = np.zeros((len(vals), dim), dtype=np.float32)
    has = np.zeros(len(vals), dtype=bool)
    for i, v in enumerate(vals):
        if v is not None and len(v) == dim and dim:
            out[i] = np.nan_to_num(np.asarray(v, dtype=np.float32))
            has[i] = True
    return out, has


def _face_statistics(face: pa.Table, clip_ids: list[str], face_columns: list[str], n_chunks: int,
                     min_frames: int) -> np.ndarray:
    """(clips, 3D, T) chunk statistics of each clip's face frames (in frame order)."""
    face_ids = np.asarray(face.column("clip_id").to_pylist(), dtype=object)
    order = np.argsort(face_ids, kind="stable")
    face_sorted = face.take(pa.array(order))
    ids_sorted = face_ids[order]
    uniq, first = np.unique(ids_sorted, return_index=True) if len(ids_sorted) else (np.array([]), np.array([], int))
    bounds = dict(zip(uniq.tolist(), zip(first.tolist(), list(first[1:]) + [len(ids_sorted)])))
    ps = np.zeros((len(clip_ids), 3 * len(face_columns), n_chunks), dtype=np.float32)
    for i, cid in enumerate(clip_ids):
        frames = np.zeros((0, len(face_columns)), dtype=np.float32)
        if cid in bounds:
            a, b = bounds[cid]
            frames = face_frame_matrix(face_sorted.slice(a, b - a).sort_by("frame"), face_columns)
        ps[i] = chunk_statistics(frames, n_chunks, min_frames=min_frames)
    return ps


def _i3d_matrix(i3d: pa.Table, clip_ids: list[str], session: str, path: Path) -> np.ndarray:
    i3d_map = dict(zip(i3d.column("clip_id").to_pylist(), i3d.column("embedding").to_pylist()))
    lacking = [c for c in clip_ids if i3d_map.get(c) is None]
    if lacking:
        raise SessionError(session, path, f"no I3D embedding for {len(lacking)} clip(s), e.g. {lacking[0]}")
    return np.asarray([i3d_map[c] for c in clip_ids], dtype=np.float32)


def _aud_matrix(aco: pa.Table | None, clip_ids: list[str], has_speech: np.ndarray) -> np.ndarray:
    """X_aud per clip; zeros for clips without speech (or without an acoustics table)."""
    aud = np.zeros((len(clip_ids), len(AUD_COLUMNS)), dtype=np.float32)
    if aco is not None:
        rows = {cid: j for j, cid in enumerate(aco.column("clip_id").to_pylist())}
        cols = {c: aco.column(c).to_pylist() for c in AUD_COLUMNS}
        for i, cid in enumerate(clip_ids):
            j = rows.get(cid)
            if j is not None and has_speech[i]:
                aud[i] = [float(cols[c][j]) if cols[c][j] is not None else 0.0 for c in AUD_COLUMNS]
    return aud


def _text_matrix(text: pa.Table | None, clip_ids: list[str], has_speech: np.ndarray) -> np.ndarray:
    """Text embedding per clip; zeros without speech; zero columns when the session has no text vectors."""
    if text is None or not text.num_rows:
        return np.zeros((len(clip_ids), 0), dtype=np.float32)
    tmat, thas = _list_matrix(text.column("embedding"), None)
    rows = {cid: j for j, cid in enumerate(text.column("clip_id").to_pylist())}
    out = np.zeros((len(clip_ids), tmat.shape[1]), dtype=np.float32)
    for i, cid in enumerate(clip_ids):
        j = rows.get(cid)
        if j is not None and thas[j] and has_speech[i]:
            out[i] = tmat[j]
    return out


def _interaction_matrix(inter: pa.Table, clip_ids: list[str]) -> tuple[np.ndarray, list[str]]:
    """The numeric interaction columns per clip (0 where null or missing)."""
    num = [f.name for f in inter.schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)]
    rows = {cid: j for j, cid in enumerate(inter.column("clip_id").to_pylist())}
    vals = {c: inter.column(c).to_pylist() for c in num}
    mat = np.zeros((len(clip_ids), len(num)), dtype=np.float32)
    for i, cid in enumerate(clip_ids):
        j = rows.get(cid)
        if j is not None:
            mat[i] = [float(vals[c][j] or 0.0) for c in num]
    return mat, num


def session_clip_features(
    session_dir: str | os.PathLike,
    session: str,
    face_columns: list[str],
    n_chunks: int,
    min_frames: int,
    interaction: bool = False,
) -> dict:
    """All clips of one session: dict of column -> list/array (one entry per clip, clip_id order)."""
    d = Path(session_dir)
    clips = _read(CLIPS, d, session, ["clip_id", "person", "identity", "start", "end"]).sort_by("clip_id")
    clip_ids = clips.column("clip_id").to_pylist()
    missing = [c for c in face_columns if c not in FACE.names]
    if missing:
        raise SessionError(session, FACE.file_in(d), f"face features have no columns {missing[:6]} (the model/dataset "
                                                     "needs them)")
    face = _read(FACE, d, session, ["clip_id", "frame", "success", *face_columns])
    i3d = _read(I3D, d, session, ["clip_id", "embedding"])
    speech = _read(CLIP_SPEECH, d, session, ["clip_id", "has_speech"], optional=True)
    aco = _read(ACOUSTICS, d, session, ["clip_id", *AUD_COLUMNS], optional=True)
    text = _read(TEXT, d, session, ["clip_id", "embedding"], optional=True)
    if text is not None and read_meta(TEXT.file_in(d)).get("model_missing"):
        log.warning("session %s: text.parquet was written without its text model (model_missing): the text "
                    "embedding of every clip is empty, so audio runs use X_aud only", session)
    has_speech = np.zeros(len(clip_ids), dtype=bool)
    if speech is not None:
        m = dict(zip(speech.column("clip_id").to_pylist(), speech.column("has_speech").to_pylist()))
        has_speech = np.asarray([bool(m.get(c) or False) for c in clip_ids], dtype=bool)
    out = {
        "clip_id": clip_ids,
        "session": [session] * len(clip_ids),
        "person": clips.column("person").to_pylist(),
        "identity": clips.column("identity").to_pylist(),
        "start": clips.column("start").to_numpy().astype(np.float64),
        "end": clips.column("end").to_numpy().astype(np.float64),
        "face": _face_statistics(face, clip_ids, face_columns, n_chunks, min_frames),
        "i3d": _i3d_matrix(i3d, clip_ids, session, I3D.file_in(d)),
        "has_speech": has_speech,
        "aud": _aud_matrix(aco, clip_ids, has_speech),
        "text": _text_matrix(text, clip_ids, has_speech),
    }
    if interaction:
        out["interaction"], out["interaction_columns"] = _interaction_matrix(_read(INTERACTION, d, session), clip_ids)
    return out
