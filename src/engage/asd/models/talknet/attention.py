"""TalkNet attention layer (cross-modal and self attention): one multi-head attention with a
residual + LayerNorm, then a 4x feed-forward with residual + LayerNorm (post-norm Transformer).

``forward(src, tar)`` lets ``tar`` query ``src``: cross attention when they differ, self attention
when equal. Names follow the public layout (``self_attn``, ``linear1/2``, ``norm1/2``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class AttentionLayer(nn.Module):
    def __init__(self, d_model: int, nhead: int = 8, dropout: float = 0.1):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout)
        self.linear1 = nn.Linear(d_model, d_model * 4)
        self.linear2 = nn.Linear(d_model * 4, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, src: torch.Tensor, tar: torch.Tensor) -> torch.Tensor:
        """``src``, ``tar``: (B, T, C) -> (B, T, C)."""
        s, t = src.transpose(0, 1), tar.transpose(0, 1)  # (T, B, C)
        s = self.norm1(s + self.dropout(self.self_attn(t, s, s, need_weights=False)[0]))
        s = self.norm2(s + self.dropout(self.linear2(self.dropout(F.relu(self.linear1(s))))))
        return s.transpose(0, 1)
