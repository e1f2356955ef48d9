"""From per-frame scores to the ``speaking`` flag.

The model's logit alone is poorly calibrated across faces: a silent participant whose mouth moves
(chewing, smiling, a looping video) can score above 0 while someone else is talking. In a gallery
all faces are scored against the *same* mixed audio, so the scores of one frame are comparable:
the face that produced the speech scores highest. Hence, with ``exclusive_margin`` set, a person
speaks at frame f when

    score >= threshold   and   score >= max(scores of all persons at f) - exclusive_margin

so several people can speak at once only when their evidence is similar (real overlap), and
mouth movement that merely co-occurs with someone else's speech is not counted. With
``exclusive_margin`` null the rule is the demos' plain ``score >= threshold``.
"""

from __future__ import annotations

import numpy as np


def decide_speaking(scores: dict[str, np.ndarray], threshold: float, exclusive_margin: float | None) -> dict[str, np.ndarray]:
    """person -> bool per frame (NaN scores are never speaking). All arrays have the same length."""
    if not scores:
        return {}
    stack = np.stack([scores[p] for p in sorted(scores)])
    have = np.isfinite(stack)
    speaking = have & (np.where(have, stack, -np.inf) >= threshold)
    if exclusive_margin is not None:
        best = np.max(np.where(have, stack, -np.inf), axis=0)
        speaking &= np.where(have, stack, -np.inf) >= best - float(exclusive_margin)
    return {p: speaking[i] for i, p in enumerate(sorted(scores))}
