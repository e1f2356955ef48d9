"""Light-ASD audio-visual backend: sum of the two embeddings, then a bidirectional GRU.

The paper's "BGRU" is two single-direction GRUs run forward and on the time-reversed sequence
(GELU after each), not ``nn.GRU(bidirectional=True)``: the parameter layout differs, so we keep it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BidirectionalGRU(nn.Module):
    """(B, T, C) -> (B, T, C): forward GRU, GELU, backward GRU on the reversed sequence, GELU."""

    def __init__(self, channels: int = 128):
        super().__init__()
        self.gru_forward = nn.GRU(channels, channels, num_layers=1, batch_first=True)
        self.gru_backward = nn.GRU(channels, channels, num_layers=1, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.gelu(self.gru_forward(x)[0])
        x = torch.flip(self.gru_backward(torch.flip(x, dims=[1]))[0], dims=[1])
        return F.gelu(x)


class SumGRUFusion(nn.Module):
    """Fuse audio and visual embeddings of equal length: ``BGRU(audio + visual)``."""

    def __init__(self, channels: int = 128):
        super().__init__()
        self.gru = BidirectionalGRU(channels)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> torch.Tensor:
        return self.gru(audio + visual)
