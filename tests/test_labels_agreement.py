"""Agreement statistics against published worked examples, independent formulas and pingouin itself."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from engage.labels.agreement import agreement, agreement_from_matrix, alpha_ordinal, icc2_1
from engage.model.labels import LEVELS

#: Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges. Published: ICC(1,1) = .17, ICC(2,1) = .29,
#: ICC(3,1) = .71.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)

#: Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example C: 4 observers, 12 units,
#: values 1-5, missing data. Published: alpha nominal .743, ordinal .815, interval .849.
NAN = np.nan
KRIPPENDORFF = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
                         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
                         [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
                         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]]).T


def icc2_1_formula(m: np.ndarray) -> float:
    """ICC(2,1) from the two-way ANOVA mean squares (Shrout & Fleiss 1979, eq. for Case 2), written out."""
    n, k = m.shape
    gm = m.mean()
    ssr = k * ((m.mean(axis=1) - gm) ** 2).sum()
    ssc = n * ((m.mean(axis=0) - gm) ** 2).sum()
    sse = ((m - gm) ** 2).sum() - ssr - ssc
    msr, msc, mse = ssr / (n - 1), ssc / (k - 1), sse / ((n - 1) * (k - 1))
    return (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)


def weighted_kappa_formula(a, b, k=4, power=2) -> float:
    o = np.zeros((k, k))
    for x, y in zip(a, b):
        o[x, y] += 1
    e = np.outer(o.sum(1), o.sum(0)) / o.sum()
    w = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) ** power
    return 1 - (w * o).sum() / (w * e).sum()


def test_shrout_fleiss_worked_example():
    icc, ci, n = icc2_1(SHROUT_FLEISS)
    assert round(icc, 2) == 0.29 and n == 6
    assert icc == pytest.approx(icc2_1_formula(SHROUT_FLEISS), abs=1e-12)
    assert ci[0] < icc < ci[1] and ci == pytest.approx([0.019, 0.761], abs=1e-3)


def test_krippendorff_worked_example():
    assert round(alpha_ordinal(KRIPPENDORFF, [1, 2, 3, 4, 5]), 3) == 0.815


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_ratings_match_pingouin_and_the_formulas(seed):
    rng = np.random.default_rng(seed)
    n, k = 60, 3
    truth = rng.integers(0, 4, n)
    m = np.clip(truth[:, None] + rng.integers(-1, 2, (n, k)), 0, 3).astype(float)
    m[rng.random((n, k)) < 0.1] = np.nan  # some clips not rated by everyone
    ratings = {f"r{j}": {f"c{i:03d}": LEVELS[int(m[i, j])] for i in range(n) if not np.isnan(m[i, j])} for j in range(k)}
    doc = agreement(ratings)
    complete = m[~np.isnan(m).any(axis=1)]
    long = pd.DataFrame([(i, j, v) for i, row in enumerate(m) for j, v in enumerate(row)], columns=["t", "r", "s"])
    ref = pg.intraclass_corr(long, targets="t", raters="r", ratings="s", nan_policy="omit")
    ref = ref[ref["Type"].isin(["ICC(A,1)", "ICC2"])].iloc[0]
    assert doc["icc2_1"] == pytest.approx(ref["ICC"], abs=1e-12)
    assert doc["icc2_1"] == pytest.approx(icc2_1_formula(complete), abs=1e-12)
    assert doc["icc2_1_ci95"] == pytest.approx(list(ref["CI95"]), abs=0.005)  # pingouin prints 2 decimals
    assert doc["icc2_1_n_clips"] == len(complete) and doc["n_raters"] == 3 and doc["n_clips"] == n
    for p in doc["pairs"]:
        i, j = (int(r[1]) for r in p["raters"])
        both = ~np.isnan(m[:, i]) & ~np.isnan(m[:, j])
        a, b = m[both, i].astype(int), m[both, j].astype(int)
        assert p["n"] == both.sum()
        assert p["kappa"] == pytest.approx(weighted_kappa_formula(a, b), abs=1e-12)
        cm = np.zeros((4, 4), int)
        np.add.at(cm, (a, b), 1)
        assert p["confusion"] == cm.tolist()
    assert -1 <= doc["alpha_ordinal"] <= 1


def test_undefined_statistics_are_null_not_nan():
    same = agreement({"a": {"c1": "EG", "c2": "EG"}, "b": {"c1": "EG", "c2": "EG"}})
    assert same["icc2_1"] is None and same["alpha_ordinal"] is None and same["exact_agreement"] == 1.0
    one = agreement({"a": {"c1": "EG"}, "adjudicated": {"c1": "HE"}})
    assert one["n_raters"] == 1 and one["pairs"] == [] and one["icc2_1"] is None
    json.dumps(agreement_from_matrix(np.zeros((0, 2)), ["a", "b"], range(4)), allow_nan=False)


def test_cli_agree_prints_json(tmp_path):
    a, b = tmp_path / "anna.csv", tmp_path / "ben.csv"
    a.write_text("clip_id,label\nc1,EG\nc2,HE\nc3,DE\nc4,HD\nc5,skip\n")
    b.write_text("clip_id,label\nc1,EG\nc2,EG\nc3,DE\nc4,DE\nc5,HE\n")
    res = subprocess.run([sys.executable, "-m", "engage.cli", "labels", "agree", str(a), str(b), "--configfile", ""],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert {"icc2_1", "icc2_1_ci95", "alpha_ordinal", "n_clips", "n_raters"} <= set(doc)
    assert doc["n_raters"] == 2 and doc["n_clips"] == 5 and doc["pairs"][0]["n"] == 4
    assert doc["icc2_1"] == pytest.approx(icc2_1_formula(np.array([[2, 2], [3, 2], [1, 1], [0, 1]], float)))
    b.write_text("clip_id,label\nc1,EG\nc2,superb\n")
    res = subprocess.run([sys.executable, "-m", "engage.cli", "labels", "agree", str(a), str(b), "--configfile", ""],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and res.stderr.strip().count("\n") == 0
    assert str(b) in res.stderr and "line 3: label 'superb'" in res.stderr
