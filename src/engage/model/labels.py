"""Engagement levels, their ordinal indices and the score thresholds of the paper."""

from __future__ import annotations

import numpy as np

#: Ordinal order: index 0..3 (paper: highly disengage, disengage, engage, highly engage).
LEVELS = ("HD", "DE", "EG", "HE")
LEVEL_INDEX = {name: i for i, name in enumerate(LEVELS)}
#: Label texts of the public CMOSE release (final_data_1.json).
CMOSE_LABEL_TEXT = {"Highly Disengage": "HD", "Disengage": "DE", "Engage": "EG", "Highly Engage": "HE"}
#: Paper, Method: s in [-1, 1] is thresholded at (-0.5, 0, 0.5).
THRESHOLDS = (-0.5, 0.0, 0.5)
#: Regression targets of the MSE baselines and pool initial scores (authors' train.py: label/2 - 0.75).
LEVEL_SCORES = (-0.75, -0.25, 0.25, 0.75)


def score_to_index(scores) -> np.ndarray:
    """Map scores in [-1, 1] to level indices with the paper's thresholds (-0.5, 0, 0.5)."""
    s = np.asarray(scores, dtype=np.float64)
    return np.searchsorted(np.asarray(THRESHOLDS), s, side="right").astype(np.int64)

