"""Inception block of I3D: four parallel branches concatenated along channels.

Branch attribute names (b0, b1a, b1b, b2a, b2b, b3a, b3b) follow the public PyTorch port.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from engage.i3d.same_padding import MaxPool3dSamePadding
from engage.i3d.unit3d import Unit3D


class InceptionModule(nn.Module):
    """``channels`` = (b0, b1 reduce, b1, b2 reduce, b2, b3 pool-proj) output widths."""

    def __init__(self, in_channels: int, channels: Sequence[int]):
        super().__init__()
        c0, c1r, c1, c2r, c2, c3 = channels
        self.out_channels = c0 + c1 + c2 + c3
        self.b0 = Unit3D(in_channels, c0)
        self.b1a = Unit3D(in_channels, c1r)
        self.b1b = Unit3D(c1r, c1, (3, 3, 3))
        self.b2a = Unit3D(in_channels, c2r)
        self.b2b = Unit3D(c2r, c2, (3, 3, 3))
        self.b3a = MaxPool3dSamePadding(kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=0)
        self.b3b = Unit3D(in_channels, c3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(
            [self.b0(x), self.b1b(self.b1a(x)), self.b2b(self.b2a(x)), self.b3b(self.b3a(x))],
            dim=1,
        )
