"""Evaluation metrics of the paper: overall accuracy and average (per-class recall) accuracy."""

from __future__ import annotations

import numpy as np

from engage.model.labels import LEVELS


def confusion_matrix(truth, pred, n_classes: int = 4) -> np.ndarray:
    """Rows: true level, columns: predicted level (counts)."""
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    for t, p in zip(np.asarray(truth, dtype=np.int64), np.asarray(pred, dtype=np.int64)):
        cm[t, p] += 1
    return cm


def summarize(truth, pred) -> dict:
    """Acc, AvgAcc (mean recall over classes present in ``truth``), per-class recall, confusion.

    AvgAcc averages only over classes that occur in the evaluated set (the authors' main.py divides
    by 4 and would divide by zero for an absent class); absent classes get recall ``None``.
    """
    cm = confusion_matrix(truth, pred)
    support = cm.sum(axis=1)
    recall = {}
    for i, name in enumerate(LEVELS):
        recall[name] = float(cm[i, i] / support[i]) if support[i] else None
    present = [r for r in recall.values() if r is not None]
    n = int(support.sum())
    return {
        "n": n,
        "accuracy": float(np.trace(cm) / n) if n else None,
        "average_accuracy": float(np.mean(present)) if present else None,
        "recall": recall,
        "support": {name: int(support[i]) for i, name in enumerate(LEVELS)},
        "confusion": cm.tolist(),
    }
