"""TensorFlow-style 'SAME' padding, computed from the input size at run time.

The original I3D was trained in TensorFlow with ``padding='SAME'``; the PyTorch port
(piergiaj/pytorch-i3d) reproduces it by padding each input before an unpadded conv/pool.
Reproducing it exactly matters: a released checkpoint gives different features otherwise.
For each dimension the total padding is ``max(k - s, 0)`` when the size divides by the stride,
else ``max(k - size % s, 0)``; the smaller half goes in front.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


def same_pad_amounts(sizes: Sequence[int], kernel: Sequence[int], stride: Sequence[int]) -> tuple[int, ...]:
    """``F.pad`` tuple (last dim first) for input ``sizes`` (t, h, w)."""
    pads: list[int] = []
    for size, k, s in zip(sizes, kernel, stride):
        total = max(k - s, 0) if size % s == 0 else max(k - size % s, 0)
        front = total // 2
        pads.append((front, total - front))
    # F.pad wants (w_front, w_back, h_front, h_back, t_front, t_back)
    return tuple(p for pair in reversed(pads) for p in pair)


def pad_same(x: torch.Tensor, kernel: Sequence[int], stride: Sequence[int]) -> torch.Tensor:
    """Zero-pad a (B, C, T, H, W) tensor so an unpadded op with ``kernel``/``stride`` acts like 'SAME'."""
    pad = same_pad_amounts(x.shape[-3:], kernel, stride)
    return F.pad(x, pad) if any(pad) else x


class MaxPool3dSamePadding(nn.MaxPool3d):
    """Max-pool with 'SAME' zero padding (as the public port: zeros, not -inf; inputs are post-ReLU)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(pad_same(x, self.kernel_size, self.stride))
