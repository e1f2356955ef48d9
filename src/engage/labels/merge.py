"""One label per clip from several raters, and the ``labels_merge`` stage that writes it.

Rule per clip (docs/labelling.md):

1. ``labels.csv`` present: its labels are the session's labels, exactly (explicit override); rater
   files then only feed the agreement statistics and the ``n_raters``/``agreed`` columns.
2. Else an adjudicated label (``labels/adjudicated.csv``, written in review mode) wins.
3. Else the median of the raters' ordinal labels HD < DE < EG < HE; with an even number of ratings
   whose two middle values differ, ``tie`` decides: ``lower``, ``higher`` or ``drop``.
4. Clips with fewer than ``min_raters`` ratings are dropped (an adjudicated label is kept regardless).

``skip`` rows are not ratings. ``agreed`` is true when at least two raters rated the clip and all gave
the same label, false when they differ, null with fewer than two ratings.

Outputs (data contract, :data:`engage.contract.MERGED_LABELS` and :data:`engage.contract.RATINGS`):
``<s>/labels/merged.parquet`` (one label per clip; metadata: settings, counts, dropped clips) and
``<s>/labels/ratings.parquet`` (every rating, adjudicated included, no skips).
"""

from __future__ import annotations

import logging
import os
from collections import Counter

from engage.contract import MERGED_LABELS, RATINGS
from engage.errors import SessionError
from engage.labels.clips import session_clips
from engage.labels.files import ADJUDICATED, SKIP, read_label_file, rater_name
from engage.model.labels import LEVEL_INDEX, LEVELS

log = logging.getLogger(__name__)

TIES = ("lower", "higher", "drop")

Ratings = dict[str, dict[str, str]]  # {rater: {clip_id: level}}


def clip_votes(ratings: Ratings, clip_id: str) -> list[int]:
    """Ordinal indices (0..3) of the raters' labels for one clip, in rater-name order."""
    return [LEVEL_INDEX[r[clip_id]] for _, r in sorted(ratings.items()) if clip_id in r and r[clip_id] != SKIP]


def agreed(votes: list[int]) -> bool | None:
    return None if len(votes) < 2 else len(set(votes)) == 1


def median_level(votes: list[int], tie: str) -> int | None:
    """Median ordinal index; for an even count with differing middle values: lower/higher, None (drop)."""
    if tie not in TIES:
        raise ValueError(f"labels.tie must be one of {TIES}, got {tie!r}")
    v = sorted(votes)
    n = len(v)
    if n == 0:
        return None
    if n % 2:
        return v[n // 2]
    a, b = v[n // 2 - 1], v[n // 2]
    if a == b:
        return a
    return {"lower": a, "higher": b, "drop": None}[tie]


def rated_clips(ratings: Ratings, order: list[str]) -> list[str]:
    """Clips with at least one rating: ``order`` first, then any others sorted."""
    rated = {c for r in ratings.values() for c, lab in r.items() if lab != SKIP}
    return [c for c in order if c in rated] + sorted(rated - set(order))


def disagreements(ratings: Ratings, order: list[str]) -> list[str]:
    """Clips whose raters disagree (at least two ratings, not all equal), in ``order``: review mode's list."""
    return [c for c in rated_clips(ratings, order) if agreed(clip_votes(ratings, c)) is False]


def merge_labels(
    ratings: Ratings,
    *,
    order: list[str],
    adjudicated: dict[str, str] | None = None,
    override: dict[str, str] | None = None,
    tie: str = "lower",
    min_raters: int = 1,
) -> tuple[list[dict], dict[str, list[str]]]:
    """Merged rows {clip_id, label, source, n_raters, agreed} and dropped clips {reason: [clip ids]}."""
    adjudicated = {c: lab for c, lab in (adjudicated or {}).items() if lab != SKIP}
    rows, dropped = [], {"tie": [], "too_few_raters": [], "not_in_labels_csv": []}
    if override is not None:
        clips = [c for c in order if c in override] + sorted(set(override) - set(order))
        for c in clips:
            votes = clip_votes(ratings, c)
            rows.append({"clip_id": c, "label": override[c], "source": "labels.csv", "n_raters": len(votes),
                         "agreed": agreed(votes)})
        dropped["not_in_labels_csv"] = [c for c in rated_clips(ratings, order) if c not in override]
        return rows, dropped
    candidates = rated_clips(ratings, order)
    have = set(candidates)
    candidates += [c for c in order if c in adjudicated and c not in have]
    candidates += sorted(set(adjudicated) - have - set(order))
    for c in candidates:
        votes = clip_votes(ratings, c)
        row = {"clip_id": c, "n_raters": len(votes), "agreed": agreed(votes)}
        if c in adjudicated:
            rows.append({**row, "label": adjudicated[c], "source": "adjudicated"})
            continue
        if len(votes) < min_raters:
            dropped["too_few_raters"].append(c)
            continue
        level = median_level(votes, tie)
        if level is None:
            dropped["tie"].append(c)
            continue
        rows.append({**row, "label": LEVELS[level], "source": "median"})
    return rows, dropped


# --- the stage -------------------------------------------------------------------------------------------


def _rating_rows(ratings: Ratings) -> list[dict]:
    return [{"clip_id": c, "rater": rater, "label": lab}
            for rater, r in ratings.items() for c, lab in r.items() if lab != SKIP]


def merge_session_labels(
    *,
    session: str,
    clips_parquet: str | os.PathLike,
    override: str | None,
    rater_files: list[str],
    adjudicated: str | None,
    out_merged: str | os.PathLike,
    out_ratings: str | os.PathLike,
    tie: str = "lower",
    min_raters: int = 1,
    unknown_clips: str = "error",
) -> None:
    """labels_merge stage: validate every label file of the session against its clips, merge, write."""
    order = [c.clip_id for c in session_clips(clips_parquet, session)]
    known = set(order)
    unknown: dict[str, list[str]] = {}

    def read(path: str, what: str, allow_skip: bool) -> dict[str, str]:
        f = read_label_file(path, session=session, what=what, allow_skip=allow_skip, known_clips=known,
                            unknown_clips=unknown_clips)
        if f.unknown_clips:
            log.warning("session %s: %s (%s): %d row(s) name clips not in clips.parquet, e.g. %s; skipped",
                        session, what, path, len(f.unknown_clips), f.unknown_clips[0])
            unknown[str(path)] = f.unknown_clips
        return f.labels

    ratings: Ratings = {}
    for path in sorted(rater_files, key=rater_name):
        name = rater_name(path)
        if name == ADJUDICATED:
            raise SessionError(session, path, "adjudicated.csv is the review-mode file, not a rater file")
        ratings[name] = read(path, "rater file", True)
    adj = read(adjudicated, "adjudicated file", True) if adjudicated else None
    over = read(override, "labels.csv", False) if override else None
    rows, dropped = merge_labels(ratings, order=order, adjudicated=adj, override=over, tie=tie, min_raters=min_raters)
    if not rows:
        raise SessionError(session, override or (rater_files or [adjudicated])[0],
                           f"no clip has a label after merging ({_dropped_text(dropped)}; labels.min_raters "
                           f"{min_raters}, labels.tie {tie})")
    if over is not None and ratings:
        log.warning("session %s: labels.csv overrides the %d rater file(s); they are used for agreement only",
                    session, len(ratings))
    sources = Counter(r["source"] for r in rows)
    meta = {
        "session": session,
        "tie": tie,
        "min_raters": min_raters,
        "raters": sorted(ratings),
        "adjudicated": adj is not None,
        "override": over is not None,
        "n_labelled": len(rows),
        "n_clips": len(order),
        "sources": dict(sorted(sources.items())),
        "label_counts": {lv: sum(1 for r in rows if r["label"] == lv) for lv in LEVELS},
        "dropped": dropped,
        "unknown_clips": unknown,
    }
    log.info("session %s: %d of %d clips labelled (%s); dropped: %s", session, len(rows), len(order),
             ", ".join(f"{k} {v}" for k, v in sorted(sources.items())), _dropped_text(dropped))
    MERGED_LABELS.write(out_merged, MERGED_LABELS.from_rows([{**r, "label_index": LEVEL_INDEX[r["label"]]}
                                                             for r in rows]), meta=meta)
    all_ratings = dict(ratings)
    if adj:
        all_ratings[ADJUDICATED] = adj
    RATINGS.write(out_ratings, RATINGS.from_rows(_rating_rows(all_ratings)),
                  meta={"session": session, "raters": sorted(all_ratings)})


def _dropped_text(dropped: dict[str, list[str]]) -> str:
    return ", ".join(f"{k} {len(v)}" for k, v in dropped.items() if v) or "none"


# --- readers of the outputs (dataset, agreement) --------------------------------------------------------


def read_merged_labels(path: str | os.PathLike, session: str) -> dict[str, str]:
    """{clip_id: label} of ``<s>/labels/merged.parquet``."""
    t = MERGED_LABELS.read(path, session=session, columns=["clip_id", "label"]).to_pydict()
    return dict(zip(t["clip_id"], t["label"]))


def read_ratings(path: str | os.PathLike, session: str) -> Ratings:
    """{rater: {clip_id: label}} of ``<s>/labels/ratings.parquet`` (adjudicated included)."""
    t = RATINGS.read(path, session=session).to_pydict()
    out: Ratings = {}
    for c, r, lab in zip(t["clip_id"], t["rater"], t["label"]):
        out.setdefault(r, {})[c] = lab
    return out
