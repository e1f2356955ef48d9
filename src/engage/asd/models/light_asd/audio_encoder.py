"""Light-ASD audio encoder: 1-D split convolutions over MFCC x time.

Each block factorises a 2-D convolution into a convolution along the MFCC axis (``m_k``,
kernel k x 1) followed by one along time (``t_k``, 1 x k), in two branches (k = 3 and 5) that are
summed and mixed by a 1x1 convolution (``last``). Time is halved twice by max-pooling, so
100 Hz MFCC become 25 Hz embeddings aligned with the video frames.
Parameter names follow the public checkpoint (``m_3``, ``bn_m_3``, ...).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _bn2d(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, momentum=0.01, eps=0.001)


class AudioBlock(nn.Module):
    """Two factorised branches (kernel 3 and 5), summed, then a 1x1 mix; ReLU after every BN."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        for k in (3, 5):
            setattr(self, f"m_{k}", nn.Conv2d(in_channels, out_channels, (k, 1), padding=(k // 2, 0), bias=False))
            setattr(self, f"bn_m_{k}", _bn2d(out_channels))
            setattr(self, f"t_{k}", nn.Conv2d(out_channels, out_channels, (1, k), padding=(0, k // 2), bias=False))
            setattr(self, f"bn_t_{k}", _bn2d(out_channels))
        self.last = nn.Conv2d(out_channels, out_channels, 1, bias=False)
        self.bn_last = _bn2d(out_channels)

    def _branch(self, x: torch.Tensor, k: int) -> torch.Tensor:
        x = F.relu(getattr(self, f"bn_m_{k}")(getattr(self, f"m_{k}")(x)))
        return F.relu(getattr(self, f"bn_t_{k}")(getattr(self, f"t_{k}")(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self._branch(x, 3) + self._branch(x, 5)
        return F.relu(self.bn_last(self.last(x)))


class LightAudioEncoder(nn.Module):
    """(B, 4T, 13) MFCC at 100 Hz -> (B, T, 128) embeddings at 25 Hz."""

    def __init__(self):
        super().__init__()
        self.block1 = AudioBlock(1, 32)
        self.block2 = AudioBlock(32, 64)
        self.block3 = AudioBlock(64, 128)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)

    @staticmethod
    def _halve_time(x: torch.Tensor) -> torch.Tensor:
        return F.max_pool2d(x, kernel_size=(1, 3), stride=(1, 2), padding=(0, 1))

    def forward(self, mfcc: torch.Tensor) -> torch.Tensor:
        x = mfcc.unsqueeze(1).transpose(2, 3)  # (B, 1, 13, 4T)
        x = self._halve_time(self.block1(x))
        x = self._halve_time(self.block2(x))
        x = self.block3(x)
        return x.mean(dim=2).transpose(1, 2)  # average over MFCC axis -> (B, T, 128)
