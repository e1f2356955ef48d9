"""Inter-rater agreement with maintained statistics libraries.

* ICC(2,1) (two-way random effects, absolute agreement, single rater; Shrout & Fleiss 1979; the CMOSE
  paper's measure) with its 95 % confidence interval: ``pingouin.intraclass_corr`` (its "ICC(A,1)"
  row, called "ICC2" in older releases). ICC needs every rater on every clip: it is computed on the
  clips rated by all raters (``icc2_1_n_clips``).
* Krippendorff's alpha, ordinal metric: ``krippendorff.alpha`` (missing ratings allowed).
* Cohen's weighted kappa per rater pair and the rater-by-rater confusion matrix (rows: first rater,
  columns: second): ``sklearn.metrics`` on the clips both raters rated.

Labels are used as their ordinal indices HD=0 < DE=1 < EG=2 < HE=3; the adjudicated "rater" is not a
rater and is left out. Statistics that are undefined for the data (fewer than two raters or clips,
no variation) are ``null`` in the output, never NaN.
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations
from typing import Sequence

import numpy as np

from engage.labels.files import ADJUDICATED, SKIP
from engage.model.labels import LEVEL_INDEX, LEVELS

Ratings = dict[str, dict[str, str]]
KAPPA_WEIGHTS = ("quadratic", "linear", "none")


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def rating_matrix(ratings: Ratings) -> tuple[list[str], list[str], np.ndarray]:
    """(clip ids sorted, rater names sorted, float matrix clips x raters of level indices, NaN = not rated)."""
    raters = sorted(r for r in ratings if r != ADJUDICATED)
    clips = sorted({c for r in raters for c, lab in ratings[r].items() if lab != SKIP})
    m = np.full((len(clips), len(raters)), np.nan)
    row = {c: i for i, c in enumerate(clips)}
    for j, r in enumerate(raters):
        for c, lab in ratings[r].items():
            if lab != SKIP:
                m[row[c], j] = LEVEL_INDEX[lab]
    return clips, raters, m


def icc2_1(matrix: np.ndarray) -> tuple[float | None, list[float] | None, int]:
    """ICC(2,1) and its 95 % CI by pingouin on the complete rows of ``matrix`` (targets x raters)."""
    import pandas as pd
    import pingouin as pg

    m = np.asarray(matrix, dtype=float)
    complete = m[~np.isnan(m).any(axis=1)] if m.ndim == 2 and m.size else np.zeros((0, 0))
    n, k = complete.shape if complete.ndim == 2 else (0, 0)
    if n < 2 or k < 2 or n * k < 5:  # pingouin's two-way ANOVA needs at least 5 values
        return None, None, int(n)
    long = pd.DataFrame({"target": np.repeat(np.arange(n), k), "rater": np.tile(np.arange(k), n),
                         "rating": complete.reshape(-1)})
    saved = dict(pg.options)
    pg.options.pop("round.column.CI95", None)  # full precision; pingouin rounds the CI to 2 decimals
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            table = pg.intraclass_corr(data=long, targets="target", raters="rater", ratings="rating")
    except (AssertionError, ValueError, ZeroDivisionError):  # degenerate data (pingouin asserts its preconditions)
        return None, None, int(n)
    finally:
        pg.options.clear()
        pg.options.update(saved)
    row = table[table["Type"].isin(["ICC(A,1)", "ICC2"])].iloc[0]
    icc = _num(row["ICC"])
    ci = [_num(v) for v in row["CI95"]]
    return icc, (ci if icc is not None and None not in ci else None), int(n)


def alpha_ordinal(matrix: np.ndarray, value_domain: Sequence[float]) -> float | None:
    """Krippendorff's alpha (ordinal) of ``matrix`` (units x raters, NaN missing); None when undefined."""
    import krippendorff

    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2 or m.shape[1] < 2 or int((np.sum(~np.isnan(m), axis=1) >= 2).sum()) == 0:
        return None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _num(krippendorff.alpha(reliability_data=m.T, level_of_measurement="ordinal",
                                           value_domain=list(value_domain)))
    except (ValueError, ZeroDivisionError):
        return None


def pairwise(matrix: np.ndarray, raters: list[str], value_domain: Sequence[float], weights: str) -> list[dict]:
    """Per rater pair: clips both rated (n), Cohen's kappa with ``weights``, confusion matrix, exact agreement."""
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    if weights not in KAPPA_WEIGHTS:
        raise ValueError(f"kappa weights must be one of {KAPPA_WEIGHTS}, got {weights!r}")
    out = []
    for i, j in combinations(range(len(raters)), 2):
        both = ~np.isnan(matrix[:, i]) & ~np.isnan(matrix[:, j])
        a, b = matrix[both, i], matrix[both, j]
        kappa = None
        if len(a) >= 2:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                kappa = _num(cohen_kappa_score(a, b, labels=list(value_domain),
                                               weights=None if weights == "none" else weights))
        cm = confusion_matrix(a, b, labels=list(value_domain)) if len(a) else np.zeros((len(value_domain),) * 2, int)
        out.append({"raters": [raters[i], raters[j]], "n": int(len(a)), "kappa": kappa,
                    "exact_agreement": _num(np.mean(a == b)) if len(a) else None,
                    "confusion": cm.astype(int).tolist()})
    return out


def agreement_from_matrix(matrix: np.ndarray, raters: list[str], value_domain: Sequence[float],
                          kappa_weights: str = "quadratic") -> dict:
    """Every statistic of the module for a units x raters matrix (NaN = not rated)."""
    m = np.asarray(matrix, dtype=float).reshape(-1, len(raters)) if len(raters) else np.zeros((0, 0))
    n_per_clip = np.sum(~np.isnan(m), axis=1) if m.size else np.zeros(0, int)
    multi = m[n_per_clip >= 2]
    same = [len(set(r[~np.isnan(r)])) == 1 for r in multi]
    icc, ci, n_icc = icc2_1(m)
    return {
        "n_clips": int(np.sum(n_per_clip >= 1)),
        "n_raters": len(raters),
        "raters": list(raters),
        "n_clips_multi": int(len(multi)),
        "exact_agreement": _num(np.mean(same)) if same else None,
        "icc2_1": icc,
        "icc2_1_ci95": ci,
        "icc2_1_n_clips": n_icc,
        "alpha_ordinal": alpha_ordinal(m, value_domain),
        "kappa_weights": kappa_weights,
        "pairs": pairwise(m, list(raters), value_domain, kappa_weights),
    }


def agreement(ratings: Ratings, kappa_weights: str = "quadratic") -> dict:
    """Agreement of raters' labels {rater: {clip_id: level}}; JSON-ready (see the module docstring)."""
    clips, raters, m = rating_matrix(ratings)
    out = agreement_from_matrix(m, raters, range(len(LEVELS)), kappa_weights)
    out["levels"] = list(LEVELS)
    out["label_counts"] = {r: {lv: sum(1 for lab in ratings[r].values() if lab == lv) for lv in LEVELS}
                           for r in raters}
    return out


def pool(per_session: dict[str, Ratings]) -> Ratings:
    """One ratings dict over several sessions (clip ids are unique across sessions; raters by name)."""
    out: Ratings = {}
    for ratings in per_session.values():
        for r, labs in ratings.items():
            out.setdefault(r, {}).update(labs)
    return out
