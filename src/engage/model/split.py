"""Identity-level train/val/test split: no identity (one student, across sessions) appears in two splits.

Why by identity and not by session + tile id: a student who attends several sessions has one
identity (engage.identity: participants.csv key or normalised name); splitting tiles would put the
same face in train and test and overstate test accuracy. Persons without a cross-session key have
the identity ``<session>/<person>``, so for them this is the per-person split of earlier versions.
"""

from __future__ import annotations

import numpy as np


def split_persons(keys, seed: int, test_fraction: float, val_fraction: float = 0.0) -> dict[str, str]:
    """Assign each distinct identity to train/val/test with a seeded shuffle of the sorted identities.

    Every clip of an identity gets its identity's split, whatever session it comes from.

    Counts: round(fraction * n), at least 1 when the fraction is > 0 and there are >= 2 persons;
    at least one person always stays in train.
    """
    persons = sorted(set(keys))
    n = len(persons)
    rng = np.random.default_rng(seed)
    order = [persons[i] for i in rng.permutation(n)]

    def count(frac: float) -> int:
        if frac <= 0 or n < 2:
            return 0
        return max(1, int(round(frac * n)))

    n_test = min(count(test_fraction), max(n - 1, 0))
    n_val = min(count(val_fraction), max(n - 1 - n_test, 0))
    out = {}
    for i, p in enumerate(order):
        out[p] = "test" if i < n_test else ("val" if i < n_test + n_val else "train")
    return out
