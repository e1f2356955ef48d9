"""Speaking classifier head shared by the ASD models: a linear layer to (silent, speaking) logits.

The public demos use the raw class-1 logit as the per-frame speaking score (not a softmax
probability), so :meth:`SpeakingHead.speaking_logit` returns exactly that.
"""

from __future__ import annotations

import torch
from torch import nn


class SpeakingHead(nn.Module):
    """(B, T, D) -> (B, T, 2) logits; index 1 is "speaking"."""

    def __init__(self, dim: int):
        super().__init__()
        self.fc = nn.Linear(dim, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)

    def speaking_logit(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)[..., 1]
