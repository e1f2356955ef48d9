"""Read OpenFace 2.x (and older 0.x/1.x) FeatureExtraction CSVs into typed columns.

OpenFace writes ``,``-separated headers and values, with or without spaces after the comma
depending on the version. Both the 2.2 layout (714 columns, see :mod:`engage.openface.columns`) and the
older layout without ``face_id``/``gaze_angle_*``/``eye_lmk_*`` (431 columns) are read; any subset of
the known feature blocks is accepted (a run without ``-aus`` simply has no AU columns).

Several faces per frame (``FaceLandmarkVidMulti`` output) are reduced to one tracked face, see
:func:`select_tracked_face`. Frames where tracking failed are kept with ``success = 0``.
A malformed file raises :class:`~engage.errors.SessionError` with one line naming file and problem.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pandas as pd

from engage.errors import SessionError
from engage.openface.columns import LANDMARKS_2D, OPENFACE_22_COLUMNS, OPENFACE_LEGACY_COLUMNS

log = logging.getLogger(__name__)

REQUIRED = ["frame", "timestamp", "confidence", "success"]
KNOWN = set(OPENFACE_22_COLUMNS) | set(OPENFACE_LEGACY_COLUMNS)
INT_COLUMNS = {"frame", "face_id"}


def _fail(path, problem: str, session: str | None):
    raise SessionError(session, path, f"malformed OpenFace CSV: {problem}")


def _split_header(line: str, path, session) -> list[str]:
    names = [n.strip() for n in line.split(",")]
    if len(names) == 1:
        for sep, word in ((";", "semicolons"), ("\t", "tabs")):
            if sep in line:
                _fail(path, f"header is separated by {word}, expected commas", session)
        _fail(path, "header has a single column (expected comma-separated OpenFace columns)", session)
    if any(n == "" for n in names):
        _fail(path, "empty column name in header", session)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        _fail(path, f"duplicate columns {dup[:5]}", session)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        _fail(path, f"missing required columns {missing}", session)
    if not any(n in KNOWN and n not in REQUIRED and n != "face_id" for n in names):
        _fail(path, "no OpenFace feature columns (gaze_*, pose_*, x_*, AU*_r, ...)", session)
    return names


def read_openface_csv(path: str | os.PathLike, session: str | None = None, *, reduce_faces: bool = True) -> pd.DataFrame:
    """Parse one FeatureExtraction CSV into a DataFrame (one row per frame, sorted by frame).

    Columns keep OpenFace's names; ``frame``/``face_id`` are int32, ``success`` is bool,
    ``timestamp`` float64, everything else float32. Unknown extra columns are ignored (logged).
    """
    try:
        text = open(path, encoding="utf-8", errors="strict").read()
    except (OSError, UnicodeDecodeError) as err:
        raise SessionError(session, path, f"cannot read OpenFace CSV ({err.__class__.__name__}: {err})") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        _fail(path, "empty file", session)
    names = _split_header(lines[0].lstrip("\ufeff"), path, session)
    n = len(names)
    rows = []
    for lineno, line in enumerate(lines[1:], start=2):
        fields = line.split(",")
        if len(fields) != n:
            what = "truncated row" if len(fields) < n else "row with extra values"
            _fail(path, f"{what} at line {lineno}: {len(fields)} values, header has {n}", session)
        rows.append(fields)
    if rows:
        try:
            data = np.asarray(rows, dtype=np.float64)
        except ValueError:
            for lineno, fields in enumerate(rows, start=2):
                for name, v in zip(names, fields):
                    try:
                        float(v)
                    except ValueError:
                        _fail(path, f"non-numeric value {v.strip()[:20]!r} in column {name} at line {lineno}", session)
            raise
    else:
        data = np.zeros((0, n))
    unknown = [c for c in names if c not in KNOWN]
    if unknown:
        log.info("%s: ignoring %d unknown columns (%s ...)", path, len(unknown), ", ".join(unknown[:3]))
    cols = {}
    for j, name in enumerate(names):
        if name not in KNOWN:
            continue
        v = data[:, j]
        if name in INT_COLUMNS:
            cols[name] = v.astype(np.int32)
        elif name == "success":
            cols[name] = v > 0.5
        elif name == "timestamp":
            cols[name] = v
        else:
            cols[name] = v.astype(np.float32)
    df = pd.DataFrame(cols)
    if reduce_faces and "face_id" in df and len(df) and df["frame"].duplicated().any():
        df = select_tracked_face(df)
    return df.sort_values("frame", kind="stable").reset_index(drop=True)


def _centre(row: pd.Series) -> np.ndarray | None:
    if "x_0" not in row.index or not row["success"]:
        return None
    xs = row[[c for c in LANDMARKS_2D if c.startswith("x_")]].to_numpy(np.float64)
    ys = row[[c for c in LANDMARKS_2D if c.startswith("y_")]].to_numpy(np.float64)
    return np.array([xs.mean(), ys.mean()])


def select_tracked_face(df: pd.DataFrame) -> pd.DataFrame:
    """Keep one row per frame: the face that continues the track of the previous frame.

    OpenFace's ``face_id`` is not guaranteed to be stable across frames (multi-face runs), so the
    track follows position: in each frame, among successful faces, the one whose 2D-landmark centre
    is nearest to the centre of the face kept in the last successful frame. With no previous face
    (start of the clip, or no landmark columns) the successful face with the highest confidence is
    kept (ties: lowest face_id). A frame where no face succeeded keeps its highest-confidence row.
    """
    df = df.sort_values(["frame", "face_id"], kind="stable")
    keep = []
    last_centre = None
    for _, grp in df.groupby("frame", sort=True):
        ok = grp[grp["success"]]
        if ok.empty:
            keep.append(grp["confidence"].idxmax())
            continue
        centres = [(_centre(r), idx) for idx, r in ok.iterrows()]
        if last_centre is not None and all(c is not None for c, _ in centres):
            chosen = min(centres, key=lambda ci: float(np.hypot(*(ci[0] - last_centre))))[1]
        else:
            chosen = ok["confidence"].idxmax()
        keep.append(chosen)
        c = _centre(df.loc[chosen])
        if c is not None:
            last_centre = c
    return df.loc[keep]
