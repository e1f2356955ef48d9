"""TalkNet visual temporal encoder: 3-D stem + ResNet-18 per frame (lip-reading frontend),
then a depthwise-separable temporal conv net (V-TCN) and a 1-D conv down to 128-d.

Module names follow the public ``pretrain_TalkSet.model`` layout (``frontend3D``, ``resnet``,
``net``); the ResNet layers use the lip-reading variant (BN after the residual sum).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

PIXEL_MEAN = 0.4161
PIXEL_STD = 0.1688


def _bn2d(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, momentum=0.01, eps=0.001)


class ResNetLayer(nn.Module):
    """Two residual units; the first may stride (1x1 ``downsample`` on the shortcut)."""

    def __init__(self, inplanes: int, outplanes: int, stride: int):
        super().__init__()
        self.stride = stride
        self.conv1a = nn.Conv2d(inplanes, outplanes, 3, stride=stride, padding=1, bias=False)
        self.bn1a = _bn2d(outplanes)
        self.conv2a = nn.Conv2d(outplanes, outplanes, 3, padding=1, bias=False)
        self.downsample = nn.Conv2d(inplanes, outplanes, 1, stride=stride, bias=False)
        self.outbna = _bn2d(outplanes)
        self.conv1b = nn.Conv2d(outplanes, outplanes, 3, padding=1, bias=False)
        self.bn1b = _bn2d(outplanes)
        self.conv2b = nn.Conv2d(outplanes, outplanes, 3, padding=1, bias=False)
        self.outbnb = _bn2d(outplanes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv2a(F.relu(self.bn1a(self.conv1a(x))))
        mid = y + (x if self.stride == 1 else self.downsample(x))
        y = F.relu(self.outbna(mid))
        y = self.conv2b(F.relu(self.bn1b(self.conv1b(y))))
        return F.relu(self.outbnb(y + mid))


class ResNet18(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = ResNetLayer(64, 64, 1)
        self.layer2 = ResNetLayer(64, 128, 2)
        self.layer3 = ResNetLayer(128, 256, 2)
        self.layer4 = ResNetLayer(256, 512, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return F.avg_pool2d(x, kernel_size=4, stride=1)  # 4x4 map (112 px input) -> 1x1


class VisualFrontend(nn.Module):
    """(B, T, 112, 112) pixels 0..255 -> (B, T, 512)."""

    def __init__(self):
        super().__init__()
        self.frontend3D = nn.Sequential(
            nn.Conv3d(1, 64, kernel_size=(5, 7, 7), stride=(1, 2, 2), padding=(2, 3, 3), bias=False),
            nn.BatchNorm3d(64, momentum=0.01, eps=0.001),
            nn.ReLU(),
            nn.MaxPool3d(kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)),
        )
        self.resnet = ResNet18()

    def forward(self, faces: torch.Tensor) -> torch.Tensor:
        b, t = faces.shape[:2]
        x = (faces.unsqueeze(1) / 255.0 - PIXEL_MEAN) / PIXEL_STD  # (B, 1, T, H, W)
        x = self.frontend3D(x).transpose(1, 2)  # (B, T, 64, h, w)
        x = self.resnet(x.reshape(b * t, *x.shape[2:]))
        return x.reshape(b, t, 512)


class GlobalLayerNorm(nn.Module):
    """Normalise over channels and time together (parameters ``gamma``/``beta`` of shape (1, C, 1))."""

    def __init__(self, channels: int):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(1, channels, 1))
        self.beta = nn.Parameter(torch.zeros(1, channels, 1))

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        mean = y.mean(dim=(1, 2), keepdim=True)
        var = (y - mean).pow(2).mean(dim=(1, 2), keepdim=True)
        return self.gamma * (y - mean) / torch.sqrt(var + 1e-8) + self.beta


class DSConv1d(nn.Module):
    """Residual depthwise-separable temporal convolution (kernel 3) on 512 channels."""

    def __init__(self, channels: int = 512):
        super().__init__()
        self.net = nn.Sequential(
            nn.ReLU(),
            nn.BatchNorm1d(channels),
            nn.Conv1d(channels, channels, 3, padding=1, groups=channels, bias=False),
            nn.PReLU(),
            GlobalLayerNorm(channels),
            nn.Conv1d(channels, channels, 1, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x) + x


class VisualTCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(*[DSConv1d() for _ in range(5)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class VisualConv1D(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv1d(512, 256, 5, padding=2), nn.BatchNorm1d(256), nn.ReLU(), nn.Conv1d(256, 128, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
