"""Person-level train/val/test split: no person (session + tile id) appears in two splits."""

from __future__ import annotations

import numpy as np


def person_key(session: str, person: str) -> str:
    """A person is identified by session and tile id (tile ids restart in every session)."""
    return f"{session}/{person}"


def split_persons(keys, seed: int, test_fraction: float, val_fraction: float = 0.0) -> dict[str, str]:
    """Assign each distinct person key to train/val/test with a seeded shuffle of the sorted keys.

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
