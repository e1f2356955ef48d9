"""pytorchvideo ``i3d_r50`` (ResNet-50 I3D, Kinetics-400 8x8 recipe) as a 2048-d clip embedder.

The wrapper keeps pytorchvideo's module tree under the same attribute (``blocks``), so the
state-dict keys equal pytorchvideo's and its checkpoints (``model_state`` of I3D_8x8_R50.pyth)
load with ``strict=True``. The embedding is the head's average pool (before dropout and the
linear projection), averaged over the remaining time steps.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from engage.i3d.pytorchvideo_compat import import_pytorchvideo_models

EMBED_DIM = 2048


class I3DR50(nn.Module):
    def __init__(self, num_classes: int = 400):
        super().__init__()
        hub = import_pytorchvideo_models()
        net = hub.i3d_r50(pretrained=False, model_num_class=num_classes)  # never downloads
        self.blocks = net.blocks
        self.embed_dim = EMBED_DIM

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, T, 224, 224) normalised -> (B, 2048)."""
        for block in self.blocks[:-1]:
            x = block(x)
        return self.blocks[-1].pool(x).mean(dim=(2, 3, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x


def build_i3d_r50(num_classes: int = 400) -> I3DR50:
    return I3DR50(num_classes)
