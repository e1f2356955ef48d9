"""Per-frame speaking scores with the demos' multi-duration evaluation, batched across persons.

The public demos score a face track by cutting it into windows of ``d`` seconds (d = 1..6: the
demo's ``durationSet = {1,1,1,2,2,2,3,3,4,5,6}`` is a Python *set*, i.e. {1, 2, 3, 4, 5, 6}), running
the model on each window, and averaging, per frame, the speaking logits of the six windowings.

Two ways to run the encoders (``shared_encoders``):

* ``False`` (the demos, exact): every window runs the audio and visual encoders on its own frames,
  so each frame is encoded six times.
* ``True`` (default for models with local encoders, e.g. Light-ASD): the encoders run once per
  face segment, in chunks with enough context (``model.encoder_context``) that the result equals
  one pass over the whole segment; only the audio-visual backend (the BGRU, the only part that
  sees a whole window) runs per window. About 6x cheaper; scores differ from the demos only in
  the few frames next to window boundaries, where the demos' encoders see zero padding instead
  of the real neighbouring frames (training clips have padding only at track ends, like us).

Long segments are cut into pieces of at most ``max_piece_frames`` (a multiple of 60 s keeps every
window of every duration inside one piece, exactly as one long track), so memory stays bounded.
Windows of equal length are stacked into one batch whatever person they belong to.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import torch

from engage import TIMELINE_FPS
from engage.asd.audio import MFCC_PER_FRAME

log = logging.getLogger(__name__)

DEMO_DURATIONS = (1, 2, 3, 4, 5, 6)


@dataclass
class Piece:
    """Consecutive face crops of one person: frames ``start .. start + len(faces) - 1``."""

    person: str
    start: int
    faces: np.ndarray  # (n, 112, 112) uint8

    @property
    def n(self) -> int:
        return len(self.faces)


def window_bounds(n: int, duration_s: int) -> list[tuple[int, int]]:
    """The demo's windows of ``duration_s`` seconds over ``n`` frames (last one shorter)."""
    step = duration_s * TIMELINE_FPS
    return [(i * step, min((i + 1) * step, n)) for i in range(math.ceil(n / step))]


def _batches(jobs: Sequence, size: int) -> Iterable[Sequence]:
    for i in range(0, len(jobs), size):
        yield jobs[i : i + size]


def _group_by_length(jobs: Iterable[tuple]) -> dict[int, list[tuple]]:
    """jobs are (..., a, b) with the frame range last; group them by b - a (stackable)."""
    groups: dict[int, list[tuple]] = defaultdict(list)
    for job in jobs:
        groups[job[-1] - job[-2]].append(job)
    return dict(sorted(groups.items()))


class Scorer:
    """Runs an :class:`~engage.asd.models.base.ASDModel` over pieces; see the module docstring."""

    def __init__(self, model, *, device: torch.device, durations: Sequence[int] = DEMO_DURATIONS,
                 shared_encoders: bool = True, batch_frames: int = 1500, encode_chunk: int = 100):
        self.model = model.to(device).prepare_for_inference()
        self.device = device
        self.durations = tuple(int(d) for d in durations)
        context = getattr(model, "encoder_context", None)
        if shared_encoders and context is None:
            log.info("model %s has encoders with global context: running them per window (as the demo)", model.name)
            shared_encoders = False
        self.shared = bool(shared_encoders)
        self.context = int(context or 0)
        self.batch_frames = max(int(batch_frames), 150)
        self.encode_chunk = int(encode_chunk)

    # -- tensors ---------------------------------------------------------------------------------
    def _faces(self, pieces: Sequence[Piece], jobs: Sequence[tuple]) -> torch.Tensor:
        arr = np.stack([pieces[p].faces[a:b] for p, *_, a, b in jobs])
        return torch.from_numpy(arr).to(self.device, non_blocking=True).float()

    def _mfcc(self, pieces: Sequence[Piece], mfcc: np.ndarray, jobs: Sequence[tuple]) -> torch.Tensor:
        k = MFCC_PER_FRAME
        arr = np.stack([mfcc[k * (pieces[p].start + a) : k * (pieces[p].start + b)] for p, *_, a, b in jobs])
        return torch.from_numpy(arr).to(self.device, non_blocking=True)

    def _per_batch(self, length: int) -> int:
        return max(1, self.batch_frames // max(length, 1))

    # -- scoring ---------------------------------------------------------------------------------
    @torch.inference_mode()
    def score(self, pieces: Sequence[Piece], mfcc: np.ndarray) -> list[np.ndarray]:
        """Per piece, (n,) float32 mean speaking logit over the durations."""
        sums = [np.zeros(p.n, np.float64) for p in pieces]
        windows = [(i, d, a, b) for i, p in enumerate(pieces) for d in self.durations for a, b in window_bounds(p.n, d)]
        if self.shared:
            emb_a, emb_v = self._encode_shared(pieces, mfcc)
        for length, group in _group_by_length(windows).items():
            for jobs in _batches(group, self._per_batch(length)):
                if self.shared:
                    a = torch.stack([emb_a[p][x:y] for p, _, x, y in jobs])
                    v = torch.stack([emb_v[p][x:y] for p, _, x, y in jobs])
                    logits = self.model.fuse_and_classify(a, v)
                else:
                    logits = self.model.speaking_logit(self._mfcc(pieces, mfcc, jobs), self._faces(pieces, jobs))
                logits = logits.float().cpu().numpy()
                for (p, _, x, y), row in zip(jobs, logits):
                    sums[p][x:y] += row
        return [(s / len(self.durations)).astype(np.float32) for s in sums]

    def _encode_shared(self, pieces: Sequence[Piece], mfcc: np.ndarray):
        """Encoder outputs for whole pieces, computed in overlapping chunks (exact within a piece)."""
        c, m = self.encode_chunk, self.context
        jobs = []  # (piece, keep_from, keep_to, lo, hi): encode frames lo..hi, keep keep_from..keep_to
        for i, p in enumerate(pieces):
            for s in range(0, p.n, c):
                e = min(s + c, p.n)
                jobs.append((i, s, e, max(0, s - m), min(p.n, e + m)))
        emb_a = [None] * len(pieces)
        emb_v = [None] * len(pieces)
        for length, group in _group_by_length(jobs).items():
            for batch in _batches(group, self._per_batch(length)):
                a = self.model.encode_audio(self._mfcc(pieces, mfcc, batch))
                v = self.model.encode_visual(self._faces(pieces, batch))
                for (p, s, e, lo, _), ea, ev in zip(batch, a, v):
                    if emb_a[p] is None:
                        n = pieces[p].n
                        emb_a[p] = ea.new_empty((n, ea.shape[-1]))
                        emb_v[p] = ev.new_empty((n, ev.shape[-1]))
                    emb_a[p][s:e] = ea[s - lo : e - lo]
                    emb_v[p][s:e] = ev[s - lo : e - lo]
        return emb_a, emb_v


def smooth_scores(scores: np.ndarray, frames: int) -> np.ndarray:
    """Centred moving average over ``frames`` frames (the demos average +-2 frames before deciding)."""
    if frames <= 1 or len(scores) == 0:
        return scores.astype(np.float32)
    half = frames // 2
    c = np.concatenate([[0.0], np.cumsum(scores, dtype=np.float64)])
    i = np.arange(len(scores))
    lo, hi = np.maximum(i - half, 0), np.minimum(i + half + 1, len(scores))
    return ((c[hi] - c[lo]) / (hi - lo)).astype(np.float32)
