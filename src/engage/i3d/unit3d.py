"""Unit3D: conv3d ('SAME' padded, no bias) + BatchNorm3d + ReLU, the I3D building block.

Attribute names (``conv3d``, ``bn``) match the public PyTorch port so its checkpoints load
with ``strict=True``. BatchNorm uses eps=1e-3, momentum=0.01 like the TensorFlow original.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from engage.i3d.same_padding import pad_same

BN_EPS = 1e-3
BN_MOMENTUM = 0.01


class Unit3D(nn.Module):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: Sequence[int] = (1, 1, 1),
        stride: Sequence[int] = (1, 1, 1),
        *,
        activation: Callable[[torch.Tensor], torch.Tensor] | None = F.relu,
        batch_norm: bool = True,
        bias: bool = False,
    ):
        super().__init__()
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)
        self.activation = activation
        self.conv3d = nn.Conv3d(in_channels, out_channels, self.kernel, self.stride, padding=0, bias=bias)
        self.bn = nn.BatchNorm3d(out_channels, eps=BN_EPS, momentum=BN_MOMENTUM) if batch_norm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv3d(pad_same(x, self.kernel, self.stride))
        if self.bn is not None:
            x = self.bn(x)
        if self.activation is not None:
            x = self.activation(x)
        return x
