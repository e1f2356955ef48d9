"""Temporal Convolutional Network (Bai, Kolter and Koltun 2018, "An Empirical Evaluation of Generic
Convolutional and Recurrent Networks for Sequence Modeling").

Structure as in their reference implementation (locuslab/TCN ``tcn.py``, also imported by the CMOSE
authors' ``model.py``): residual blocks of two dilated causal 1-D convolutions with weight
normalisation, ReLU and dropout; dilation doubles per level; a 1x1 convolution matches channels on the
residual path; conv weights initialised N(0, 0.01). Written from that description.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm


class CausalConv1d(nn.Module):
    """Conv1d padded on the left only, so output t sees inputs <= t (same length as the input)."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int):
        super().__init__()
        self.left = (kernel_size - 1) * dilation
        conv = nn.Conv1d(c_in, c_out, kernel_size, dilation=dilation)
        nn.init.normal_(conv.weight, 0.0, 0.01)
        self.conv = weight_norm(conv)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(nn.functional.pad(x, (self.left, 0)))


class TemporalBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int, dropout: float):
        super().__init__()
        self.net = nn.Sequential(
            CausalConv1d(c_in, c_out, kernel_size, dilation),
            nn.ReLU(),
            nn.Dropout(dropout),
            CausalConv1d(c_out, c_out, kernel_size, dilation),
            nn.ReLU(),
            nn.Dropout(dropout),
        )
        self.downsample = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else None
        if self.downsample is not None:
            nn.init.normal_(self.downsample.weight, 0.0, 0.01)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(self.net(x) + res)


class TemporalConvNet(nn.Module):
    """(B, C_in, T) -> (B, channels[-1], T); level i has dilation 2**i."""

    def __init__(self, c_in: int, channels: list[int], kernel_size: int = 3, dropout: float = 0.2):
        super().__init__()
        layers = []
        for i, c_out in enumerate(channels):
            layers.append(TemporalBlock(c_in if i == 0 else channels[i - 1], c_out, kernel_size, 2**i, dropout))
        self.network = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)
