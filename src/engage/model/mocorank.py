"""MocoRank (paper, section "MocoRank"): score pool, momentum encoder and the multi-margin loss.

Facts and where they come from:

* Pool of |P| = 2048 triplets (label, score, embedding), initialised with |P|/4 entries of each
  class at scores -0.75/-0.25/0.25/0.75, shuffled; embeddings start at zero (authors' code,
  JasonWUCHI/CMOSE ``train.py``: ``queue``, ``queue_label``, ``queue_lstm``).
* Momentum encoder: same architecture, initialised with the model's weights, updated every step
  with m = 0.999 *before* the forward pass, kept in eval mode (``train.py``
  ``_momentum_update_key_encoder``; paper: "retaining 99.9% of its current weight").
* Multi-margin loss: ``loss.py`` ``MultiMarginLoss`` (tol=0.5, flexible_margin=True as used in
  ``train.py``); the cosine term is computed without gradient as there.

:class:`MocoRank` ties the three together for one training step (the order is tested).
The loss never builds a (B, P, E) tensor (cosines as one matrix product), so a step with |B| = 256,
|P| = 2048 costs milliseconds on a CPU.

Deviation (documented in docs/model.md): the authors' enqueue silently skips every batch whose size
does not divide |P|; :class:`ScorePool` is a true FIFO ring that accepts any batch size.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from engage.model.labels import LEVEL_SCORES


def multi_margin_loss(
    scores: torch.Tensor,
    labels: torch.Tensor,
    embeddings: torch.Tensor,
    pool_scores: torch.Tensor,
    pool_labels: torch.Tensor,
    pool_embeddings: torch.Tensor,
    tol: float = 0.5,
    flexible_margin: bool = True,
    reduction: str = "per_gap",
) -> torch.Tensor:
    """The MocoRank multi-margin loss of a batch against the score pool (a pure function).

    For a batch item (label l1, score s1, embedding e1) and a pool entry (l2, s2, e2), with
    gap g = |l1 - l2|, sign y = sign(l1 - l2) and c = (cos(e1, e2) + 1) / 2 (no gradient):

    * g = 0: |s1 - s2|
    * g > 0: max(0, M_g - y (s1 - s2)) with M_g = 0.5 g - tol + tol c (flexible margin)
      or M_g = 0.5 g - tol (``flexible_margin=False``). With tol = 0.5 this is the paper's
      M_1 = 0.5 c, M_2 = 0.5 + 0.5 c, M_3 = 1.0 + 0.5 c.

    ``reduction="per_gap"``: for each gap 0..3 the mean over the pairs with that gap, summed over
    the gaps that occur (authors' ``loss.py``: L1Loss and MarginRankingLoss, each mean-reduced).
    ``reduction="mean"``: the paper's 1/(|B||P|) sum over all pairs.

    Shapes: scores (B,) or (B, 1); labels (B,) ints 0..3; embeddings (B, E);
    pool_scores (P,), pool_labels (P,), pool_embeddings (P, E). Returns a scalar.
    """
    if reduction not in ("per_gap", "mean"):
        raise ValueError(f"reduction must be 'per_gap' or 'mean', not {reduction!r}")
    s1 = scores.reshape(-1)
    l1 = labels.reshape(-1).long()
    s2 = pool_scores.reshape(-1).to(s1.dtype)
    l2 = pool_labels.reshape(-1).long()
    label_diff = l1[:, None] - l2[None, :]
    gap = label_diff.abs()
    sign = label_diff.sign().to(s1.dtype)
    score_diff = s1[:, None] - s2[None, :]
    if flexible_margin:
        with torch.no_grad():  # cosine as normalised dot products: (B, E) @ (E, P), never a (B, P, E) tensor
            e1 = F.normalize(embeddings.detach().to(s1.dtype), dim=1, eps=1e-8)
            e2 = F.normalize(pool_embeddings.detach().to(s1.dtype), dim=1, eps=1e-8)
            cos = (e1 @ e2.T + 1.0) / 2.0
    else:
        cos = torch.zeros_like(score_diff)
    margin = 0.5 * gap.to(s1.dtype) - tol + tol * cos
    hinge = torch.clamp(margin - sign * score_diff, min=0.0)
    pair = torch.where(gap == 0, score_diff.abs(), hinge)
    if reduction == "mean":
        return pair.mean()
    # per gap: mean over that gap's pairs, summed over the gaps present = a weighted sum with weight
    # 1 / (number of pairs with that gap); faster than four boolean-mask gathers, same value.
    with torch.no_grad():
        n1, n2 = torch.bincount(l1, minlength=4), torch.bincount(l2, minlength=4)
        if len(n1) > 4 or len(n2) > 4:
            raise ValueError("labels must be level indices 0..3")
        joint = n1[:, None] * n2[None, :]  # number of pairs per (l1, l2)
        level_gap = (torch.arange(4, device=gap.device)[:, None] - torch.arange(4, device=gap.device)[None, :]).abs()
        counts = torch.stack([(joint * (level_gap == g)).sum() for g in range(4)]).to(s1.dtype)
        weight = (1.0 / counts.clamp_min(1.0))[gap]
    return (pair * weight).sum()


class ScorePool(nn.Module):
    """FIFO pool of (label, score, embedding) triplets produced by the momentum encoder.

    Stored as a ring buffer: ``ptr`` points at the oldest entry, which the next enqueue overwrites.
    """

    def __init__(self, size: int, emb_dim: int, generator: torch.Generator | None = None):
        super().__init__()
        if size % 4:
            raise ValueError(f"pool size must be a multiple of 4 (one quarter per class), got {size}")
        q = size // 4
        labels = torch.arange(4).repeat_interleave(q)
        scores = torch.tensor(LEVEL_SCORES, dtype=torch.float32).repeat_interleave(q)
        perm = torch.randperm(size, generator=generator)
        self.register_buffer("scores", scores[perm].clone())
        self.register_buffer("labels", labels[perm].clone())
        self.register_buffer("embeddings", torch.zeros(size, emb_dim))
        self.register_buffer("ptr", torch.zeros((), dtype=torch.long))

    @property
    def size(self) -> int:
        return int(self.scores.shape[0])

    @torch.no_grad()
    def enqueue(self, scores: torch.Tensor, labels: torch.Tensor, embeddings: torch.Tensor) -> None:
        """Replace the |B| oldest entries by the batch (keeps the newest |P| if |B| > |P|)."""
        scores = scores.reshape(-1).detach().to(self.scores.dtype)
        labels = labels.reshape(-1).to(self.labels.dtype)
        embeddings = embeddings.detach().to(self.embeddings.dtype)
        n = scores.shape[0]
        if n > self.size:
            scores, labels, embeddings = scores[-self.size :], labels[-self.size :], embeddings[-self.size :]
            n = self.size
        idx = (int(self.ptr) + torch.arange(n)) % self.size
        self.scores[idx] = scores
        self.labels[idx] = labels
        self.embeddings[idx] = embeddings
        self.ptr.fill_((int(self.ptr) + n) % self.size)

    def oldest_first(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The pool in FIFO order (oldest entry first): for inspection and tests."""
        order = (int(self.ptr) + torch.arange(self.size)) % self.size
        return self.scores[order], self.labels[order], self.embeddings[order]


def make_momentum_encoder(model: nn.Module) -> nn.Module:
    """A frozen copy of ``model`` (same architecture and weights), in eval mode."""
    enc = copy.deepcopy(model)
    for p in enc.parameters():
        p.requires_grad_(False)
    enc.eval()
    return enc


@torch.no_grad()
def momentum_update(encoder: nn.Module, model: nn.Module, m: float = 0.999) -> None:
    """encoder <- m * encoder + (1 - m) * model for every parameter; buffers are copied."""
    for pk, pq in zip(encoder.parameters(), model.parameters()):
        pk.mul_(m).add_(pq.detach(), alpha=1.0 - m)
    for bk, bq in zip(encoder.buffers(), model.buffers()):
        bk.copy_(bq)


class MocoRank:
    """One training phase of MocoRank: momentum encoder + score pool + multi-margin loss.

    ``loss(model, batch, scores, embeddings, labels)`` does one iteration of the paper's mechanism, in
    the order of the authors' ``training_step``: momentum-update the encoder from the model (whose
    weights are those of the coming optimiser step), score the batch with the encoder (eval mode, no
    gradient), compute the loss of the model's scores against the pool *as it was before this batch*,
    then enqueue the encoder's (score, embedding, label) triplets.
    """

    def __init__(self, model: nn.Module, emb_dim: int, pool_size: int = 2048, momentum: float = 0.999,
                 tol: float = 0.5, flexible_margin: bool = True, reduction: str = "per_gap",
                 generator: torch.Generator | None = None):
        device = next(model.parameters()).device
        self.encoder = make_momentum_encoder(model)
        self.pool = ScorePool(pool_size, emb_dim, generator=generator).to(device)
        self.momentum, self.tol, self.flexible_margin, self.reduction = momentum, tol, flexible_margin, reduction

    def loss(self, model: nn.Module, batch: dict, scores: torch.Tensor, embeddings: torch.Tensor,
             labels: torch.Tensor) -> torch.Tensor:
        momentum_update(self.encoder, model, self.momentum)
        self.encoder.eval()  # dropout off: the pool holds the encoder's deterministic scores
        with torch.no_grad():
            scores_k, emb_k = self.encoder(batch)
        loss = multi_margin_loss(scores, labels, embeddings, self.pool.scores.clone(), self.pool.labels.clone(),
                                 self.pool.embeddings.clone(), tol=self.tol, flexible_margin=self.flexible_margin,
                                 reduction=self.reduction)
        self.pool.enqueue(scores_k, labels, emb_k)
        return loss
