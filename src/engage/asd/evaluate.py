"""Measure ASD output against ground truth of the kind the fixture galleries ship (truth.json):
tile rectangles, which tiles have a face, and who speaks when (``speech_segments``).

Used by tests and bench/asd_eval.py. Persons are matched to truth tiles by rectangle IoU, so the
measurement does not depend on how the layout stage names tiles.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa

from engage import TIMELINE_FPS
from engage.geometry import rect_iou


def match_persons_to_tiles(person_rects: dict[str, Sequence[float]], truth: dict, min_iou: float = 0.5) -> dict[str, str]:
    """person -> truth tile name (best IoU above ``min_iou``)."""
    out = {}
    for person, rect in person_rects.items():
        best = max(truth["tiles"], key=lambda t: rect_iou(rect, (t["x"], t["y"], t["w"], t["h"])))
        if rect_iou(rect, (best["x"], best["y"], best["w"], best["h"])) >= min_iou:
            out[person] = best["tile"]
    return out


def speaking_truth(truth: dict, tile: str, n_frames: int) -> np.ndarray:
    """Bool per frame: the frame time f/25 lies in one of the tile's ``speech_segments``."""
    t = np.arange(n_frames) / TIMELINE_FPS
    lab = np.zeros(n_frames, bool)
    for seg in truth.get("speech_segments", []):
        if seg["tile"] == tile:
            lab |= (t >= seg["start"]) & (t < seg["end"])
    return lab


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Non-interpolated AP (mean precision at each positive, scores ranked high to low)."""
    labels = np.asarray(labels, bool)
    if labels.sum() == 0:
        return float("nan")
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
    hits = labels[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


def frame_metrics(asd: pa.Table, person_tiles: dict[str, str], truth: dict, threshold: float = 0.0) -> dict:
    """Accuracy and AP of ``speaking``/``score`` over all frames of persons mapped to face tiles.

    Frames without a score count as "not speaking" with the lowest score.
    """
    face_tiles = {t["tile"] for t in truth["tiles"] if t.get("has_face")}
    persons = np.asarray(asd.column("person").to_pylist())
    frames = asd.column("frame").to_numpy(zero_copy_only=False)
    score = asd.column("score").to_numpy(zero_copy_only=False).astype(np.float64)
    speaking = asd.column("speaking").to_numpy(zero_copy_only=False).astype(bool)
    all_s, all_l, all_p, per_tile = [], [], [], {}
    for person, tile in sorted(person_tiles.items()):
        if tile not in face_tiles:
            continue
        sel = persons == person
        f = frames[sel]
        lab = speaking_truth(truth, tile, int(f.max()) + 1 if len(f) else 0)[f]
        s = np.where(np.isfinite(score[sel]), score[sel], -1e9)
        all_s.append(s)
        all_l.append(lab)
        all_p.append(speaking[sel])
        per_tile[tile] = {"person": person, "accuracy": float((speaking[sel] == lab).mean()),
                          "speaking_truth_frames": int(lab.sum()), "speaking_pred_frames": int(speaking[sel].sum())}
    s, lab, pred = (np.concatenate(x) if x else np.zeros(0) for x in (all_s, all_l, all_p))
    return {"accuracy": float((pred.astype(bool) == lab.astype(bool)).mean()) if len(lab) else float("nan"),
            "average_precision": average_precision(s, lab.astype(bool)), "frames": int(len(lab)),
            "per_tile": per_tile}


def cue_truth_tile(truth: dict, start: float, end: float) -> str | None:
    """The tile whose coarse ``speech`` intervals overlap the cue most (None if none)."""
    overlap: dict[str, float] = {}
    for seg in truth.get("speech", []):
        o = min(end, seg["end"]) - max(start, seg["start"])
        if o > 0:
            overlap[seg["tile"]] = overlap.get(seg["tile"], 0.0) + o
    return max(overlap, key=overlap.get) if overlap else None


def attribution_metrics(utterances: pa.Table, person_tiles: dict[str, str], truth: dict) -> dict:
    rows = utterances.to_pylist()
    results = []
    for r in rows:
        want = cue_truth_tile(truth, r["start"], r["end"])
        got = person_tiles.get(r["speaker"]) if r["speaker"] else None
        results.append({"utterance": r["utterance"], "truth_tile": want, "speaker": r["speaker"], "speaker_tile": got,
                        "correct": want == got, "evidence": r["evidence"]})
    n_ok = sum(x["correct"] for x in results)
    return {"cues": len(results), "correct": n_ok, "accuracy": n_ok / len(results) if results else float("nan"), "detail": results}
