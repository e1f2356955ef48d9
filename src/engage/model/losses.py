"""Baseline losses of the paper's Table 2, written from the authors' ``loss.py`` / ``train.py``
(JasonWUCHI/CMOSE) and the cited papers.

Each loss object is called as ``loss(out, emb, labels) -> (main, extra)``; ``extra`` is the weighted
auxiliary term (center, rank, triplet) or 0. Facts used:

* MSE targets: label / 2 - 0.75 -> (-0.75, -0.25, 0.25, 0.75) (``train.py``).
* Center loss: mean over the batch of the squared distance to the learned class center
  (``loss.py`` ``CenterLoss``); weight 0.2 (paper); centers learned by SGD lr 1e-3 (``main.py``).
* Rank loss (Wang et al. 2019, ``kw_rank_loss``): hinge on distances between class-mean features with
  margin 0.75. The authors' version goes through numpy and so gives no gradient; ours is the same
  formula in torch (differentiable) and skips terms with a class absent from the batch.
* Triplet: ``nn.TripletMarginWithDistanceLoss(margin=1)``, weight 1; the authors' code left positive and
  negative sampling unimplemented, we draw them from the batch (same label / different label).
* CB focal (Cui et al. 2019): beta 0.9999, gamma 2, sigmoid focal formula of ``loss.py``.
* LDAM (Cao et al. 2019): max_m 0.5, s 30, margins proportional to n_c^(-1/4) (``loss.py``).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engage.model.labels import LEVEL_SCORES

#: loss name -> (head outputs, auxiliary term); MocoRank losses are handled in training.py.
LOSSES = {
    "ce": 4,
    "mse": 1,
    "mse_rank": 1,
    "mse_triplet": 1,
    "ce_center": 4,
    "cb_focal": 4,
    "ldam": 4,
    "mocorank": 1,
    "mocorank_center": 1,
}


def n_outputs_for(loss: str) -> int:
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    return LOSSES[loss]


class CenterLoss(nn.Module):
    def __init__(self, n_classes: int, dim: int, generator: torch.Generator | None = None):
        super().__init__()
        self.centers = nn.Parameter(torch.randn(n_classes, dim, generator=generator))

    def forward(self, emb: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        d = (emb - self.centers[labels]).pow(2).sum(dim=-1)
        return d.clamp(1e-12, 1e12).mean()


def rank_loss(emb: torch.Tensor, labels: torch.Tensor, margin: float = 0.75) -> torch.Tensor:
    """Class-mean distance ordering (Wang et al. 2019 as in the authors' ``kw_rank_loss``)."""
    means = {}
    for c in range(4):
        m = labels == c
        if bool(m.any()):
            means[c] = emb[m].mean(dim=0)

    def d(a, b):
        return torch.linalg.vector_norm(means[a] - means[b])

    terms = [((0, 1), (0, 2), 1), ((0, 1), (0, 3), 2), ((1, 2), (1, 3), 1),
             ((1, 2), (0, 3), 2), ((2, 3), (1, 3), 1), ((2, 3), (0, 3), 2)]
    total = emb.new_zeros(())
    for (a, b), (c, e), k in terms:
        if all(x in means for x in (a, b, c, e)):
            total = total + F.relu(d(a, b) - d(c, e) + k * margin)
    return total


def batch_triplets(labels: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Anchor, positive (same label, another item) and negative (other label) indices from a batch."""
    lab = labels.cpu().numpy()
    rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
    a, p, n = [], [], []
    for i, li in enumerate(lab):
        pos = np.flatnonzero((lab == li) & (np.arange(len(lab)) != i))
        neg = np.flatnonzero(lab != li)
        if len(pos) and len(neg):
            a.append(i)
            p.append(int(rng.choice(pos)))
            n.append(int(rng.choice(neg)))
    t = lambda x: torch.tensor(x, dtype=torch.long, device=labels.device)  # noqa: E731
    return t(a), t(p), t(n)


def cb_focal_loss(logits: torch.Tensor, labels: torch.Tensor, class_counts, beta: float = 0.9999, gamma: float = 2.0) -> torch.Tensor:
    counts = np.maximum(np.asarray(class_counts, dtype=np.float64), 1.0)
    eff = 1.0 - np.power(beta, counts)
    w = (1.0 - beta) / eff
    w = torch.tensor(w / w.sum() * len(counts), dtype=logits.dtype, device=logits.device)
    onehot = F.one_hot(labels, 4).to(logits.dtype)
    alpha = (w[labels])[:, None].expand_as(onehot)
    bce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    modulator = torch.exp(-gamma * onehot * logits - gamma * torch.log1p(torch.exp(-logits)))
    return (alpha * modulator * bce).sum() / onehot.sum()


def ldam_loss(cos_logits: torch.Tensor, labels: torch.Tensor, class_counts, max_m: float = 0.5, s: float = 30.0) -> torch.Tensor:
    counts = np.maximum(np.asarray(class_counts, dtype=np.float64), 1.0)
    m = 1.0 / np.sqrt(np.sqrt(counts))
    m = torch.tensor(m * (max_m / m.max()), dtype=cos_logits.dtype, device=cos_logits.device)
    onehot = F.one_hot(labels, 4).bool()
    out = torch.where(onehot, cos_logits - m[labels][:, None], cos_logits)
    return F.cross_entropy(s * out, labels)


class BaselineLoss(nn.Module):
    """All non-MocoRank objectives of Table 2 (and the center term of MocoRank + Center)."""

    def __init__(self, name: str, emb_dim: int, class_counts, cls_scale: float, generator: torch.Generator,
                 center_weight: float = 0.2, rank_weight: float = 1.0, triplet_weight: float = 1.0):
        super().__init__()
        self.name = name
        self.class_counts = list(class_counts)
        self.cls_scale = cls_scale
        self.generator = generator
        self.center_weight, self.rank_weight, self.triplet_weight = center_weight, rank_weight, triplet_weight
        self.center = CenterLoss(4, emb_dim, generator) if name in ("ce_center", "mocorank_center") else None
        self.targets = torch.tensor(LEVEL_SCORES)

    def main(self, out: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        n = self.name
        if n.startswith("mse"):
            return F.mse_loss(out, self.targets.to(out.device)[labels])
        if n in ("ce", "ce_center"):
            return F.cross_entropy(self.cls_scale * out, labels)
        if n == "cb_focal":
            return cb_focal_loss(self.cls_scale * out, labels, self.class_counts)
        if n == "ldam":
            return ldam_loss(out, labels, self.class_counts)
        raise ValueError(f"{n} has no baseline main term")

    def extra(self, emb: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if self.center is not None:
            return self.center_weight * self.center(emb, labels)
        if self.name == "mse_rank":
            return self.rank_weight * rank_loss(emb, labels)
        if self.name == "mse_triplet":
            a, p, n = batch_triplets(labels, self.generator)
            if len(a) == 0:
                return emb.new_zeros(())
            return self.triplet_weight * nn.TripletMarginWithDistanceLoss(margin=1.0)(emb[a], emb[p], emb[n])
        return emb.new_zeros(())
