"""Models by config name (``i3d.model``, the shared :class:`engage.torchutil.Registry`); unknown names raise
listing the valid ones.

Each :class:`ModelSpec` says how to build the network (with ``embed(x) -> (B, D)``), how its
input is normalised and sampled, which state-dict key tells the number of classes, and where a
user gets the checkpoint (for the "missing weights" error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch.nn as nn

from engage.torchutil import Registry


@dataclass(frozen=True)
class ModelSpec:
    name: str
    embed_dim: int
    build: Callable[[int], nn.Module]
    #: state-dict key whose first dimension is the number of classes of the checkpoint
    classes_key: str
    default_classes: int
    #: per-channel mean/std in [0, 1] units (RGB); (0.5, 0.5) maps to [-1, 1]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    #: take every ``frame_step``-th frame of a window (the model's training sampling rate)
    frame_step: int
    #: fewest model input frames the pooled feature is defined for
    min_frames: int
    checkpoint_hint: str


#: i3d.model name -> function returning its ModelSpec (filled by ``@MODELS.register`` in engage.i3d.models).
MODELS: Registry[Callable[[], ModelSpec]] = Registry("i3d model", "i3d.model", modules=("engage.i3d.models",))


def get_model_spec(name: str) -> ModelSpec:
    return MODELS.get(name)()


def model_names() -> list[str]:
    return MODELS.names()
