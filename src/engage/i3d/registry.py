"""Models by config name (``i3d.model``); unknown names raise listing the valid ones.

Each :class:`ModelSpec` says how to build the network (with ``embed(x) -> (B, D)``), how its
input is normalised and sampled, which state-dict key tells the number of classes, and where a
user gets the checkpoint (for the "missing weights" error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch.nn as nn

from engage.errors import ConfigError


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


_REGISTRY: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec) -> ModelSpec:
    if spec.name in _REGISTRY:
        raise ValueError(f"model {spec.name!r} registered twice")
    _REGISTRY[spec.name] = spec
    return spec


def _ensure_builtin() -> None:
    # Importing the model modules registers them (kept lazy: pytorchvideo is only imported for i3d_r50).
    import engage.i3d.models  # noqa: F401


def get_model_spec(name: str) -> ModelSpec:
    _ensure_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown i3d.model {name!r}; valid: {', '.join(sorted(_REGISTRY))}") from None


def model_names() -> list[str]:
    _ensure_builtin()
    return sorted(_REGISTRY)
