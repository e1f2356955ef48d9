"""model.pt: a state dict plus a JSON-able config, loadable with torch.load(weights_only=True)."""

from __future__ import annotations

import json
import os

import torch

from engage.errors import ConfigError
from engage.io.atomic import atomic_path
from engage.model.network import EngagementNet, ModelConfig
from engage.torchutil import load_weights_only


def save_model(path: str | os.PathLike, model: EngagementNet, info: dict) -> None:
    """``info`` (run, train settings, dataset metadata) must be JSON-serialisable; it is checked here."""
    payload = {"format": "engage-model-1", "model_config": model.cfg.to_dict(), "info": json.loads(json.dumps(info, default=str)),
               "state_dict": {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}}
    with atomic_path(path, suffix=".pt") as tmp:
        torch.save(payload, tmp)


def load_model(path: str | os.PathLike) -> tuple[EngagementNet, dict]:
    """The model (on the CPU, eval mode) and its info; ConfigError for anything but an engage model.pt."""
    payload = load_weights_only(path, what="engagement model")
    if not isinstance(payload, dict) or payload.get("format") != "engage-model-1":
        raise ConfigError(f"{path} is not an engage model.pt (format engage-model-1)")
    model = EngagementNet(ModelConfig.from_dict(payload["model_config"]))
    model.load_state_dict(payload["state_dict"], strict=True)
    model.eval()
    return model, payload["info"]
