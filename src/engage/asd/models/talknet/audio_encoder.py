"""TalkNet audio encoder: a ResNet-34-style stack of squeeze-and-excitation blocks over MFCC x time.

The stem halves the MFCC axis only; layers 2 and 3 halve MFCC and time, so 100 Hz MFCC become
25 Hz embeddings (128-d). Module names follow the public ``pretrain_TalkSet.model`` layout.
Note the public block applies ReLU *before* its first BatchNorm; we keep that order.
"""

from __future__ import annotations

import torch
from torch import nn


class SqueezeExcite(nn.Module):
    """Channel gating from the global average (``fc`` = Linear, ReLU, Linear, Sigmoid)."""

    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        self.fc = nn.Sequential(
            nn.Linear(channels, channels // reduction),
            nn.ReLU(inplace=True),
            nn.Linear(channels // reduction, channels),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = self.fc(x.mean(dim=(2, 3)))
        return x * gate[:, :, None, None]


class SEBasicBlock(nn.Module):
    """conv-ReLU-BN, conv-BN, SE gate, + residual (1x1 conv when the shape changes), ReLU."""

    def __init__(self, inplanes: int, planes: int, stride=1, downsample: nn.Module | None = None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.se = SqueezeExcite(planes)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn1(torch.relu(self.conv1(x)))
        out = self.se(self.bn2(self.conv2(out)))
        residual = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + residual)


class TalkNetAudioEncoder(nn.Module):
    """(B, 4T, 13) MFCC -> (B, T, 128)."""

    def __init__(self, layers=(3, 4, 6, 3), filters=(16, 32, 64, 128)):
        super().__init__()
        self._inplanes = filters[0]
        self.conv1 = nn.Conv2d(1, filters[0], kernel_size=7, stride=(2, 1), padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(filters[0])
        self.layer1 = self._make_layer(filters[0], layers[0], 1)
        self.layer2 = self._make_layer(filters[1], layers[1], (2, 2))
        self.layer3 = self._make_layer(filters[2], layers[2], (2, 2))
        self.layer4 = self._make_layer(filters[3], layers[3], 1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def _make_layer(self, planes: int, blocks: int, stride) -> nn.Sequential:
        downsample = None
        if stride != 1 or self._inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self._inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
        seq = [SEBasicBlock(self._inplanes, planes, stride, downsample)]
        self._inplanes = planes
        seq += [SEBasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*seq)

    def forward(self, mfcc: torch.Tensor) -> torch.Tensor:
        x = mfcc.unsqueeze(1).transpose(2, 3)  # (B, 1, 13, 4T)
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return x.mean(dim=2).transpose(1, 2)  # (B, T, 128)
