"""Common interface of the ASD models and loading of public checkpoints with every tensor checked.

The public checkpoints store the whole training wrapper (``model.<block>...``, ``lossAV.FC...``).
Each model declares how those prefixes map onto its own module names; loading renames every key
through that table and then calls ``load_state_dict(strict=True)``, so a missing, extra or
mis-shaped tensor is an error, never silently skipped (unlike the public ``loadParameters``).
"""

from __future__ import annotations

import os
from typing import Mapping

import torch
from torch import nn

from engage.errors import ConfigError
from engage.torchutil import load_weights_only


class ASDModel(nn.Module):
    """Audio-visual active-speaker model: MFCC (B, 4T, 13) + faces (B, T, 112, 112) -> logits (B, T).

    Subclasses set ``name`` and ``checkpoint_prefixes`` (public prefix -> our prefix) and implement
    the three stages; :meth:`speaking_logit` chains them.
    """

    name: str = ""
    #: frames of temporal context that make the encoders' output local (chunked encoding exact),
    #: or None when an encoder sees the whole input (global normalisation / attention)
    encoder_context: int | None = None
    checkpoint_prefixes: Mapping[str, str] = {}

    def encode_audio(self, mfcc: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def encode_visual(self, faces: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def fuse_and_classify(self, audio: torch.Tensor, visual: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def prepare_for_inference(self) -> "ASDModel":
        """eval() plus model-specific speed-ups that keep the numbers (e.g. BatchNorm folding)."""
        return self.eval()

    def speaking_logit(self, mfcc: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
        return self.fuse_and_classify(self.encode_audio(mfcc), self.encode_visual(faces))

    forward = speaking_logit

    # -- checkpoints in the public key layout -------------------------------------------------
    def _rename(self, keys, table: Mapping[str, str], what: str) -> dict[str, str]:
        out = {}
        for key in keys:
            for src, dst in table.items():
                if key.startswith(src):
                    out[key] = dst + key[len(src):]
                    break
            else:
                raise ConfigError(f"{what}: tensor '{key}' does not belong to a {self.name} checkpoint (known prefixes: {', '.join(table)})")
        return out

    def load_public_state_dict(self, state: Mapping[str, torch.Tensor], source: str = "checkpoint") -> None:
        """Load a state dict in the public layout; every tensor must be used and match in shape."""
        names = self._rename(state.keys(), self.checkpoint_prefixes, source)
        ours = {names[k]: v for k, v in state.items()}
        try:
            self.load_state_dict(ours, strict=True)
        except RuntimeError as err:
            detail = " ".join(str(err).split())
            raise ConfigError(f"{source} does not match the {self.name} architecture: {detail[:600]}") from None

    def public_state_dict(self) -> dict[str, torch.Tensor]:
        """Our weights under the public key names (what the upstream training code saves)."""
        inverse = {dst: src for src, dst in self.checkpoint_prefixes.items()}
        sd = self.state_dict()
        names = self._rename(sd.keys(), inverse, f"{self.name} model")
        return {names[k]: v for k, v in sd.items()}

    def load_checkpoint(self, path: str | os.PathLike) -> None:
        """``torch.load(weights_only=True)`` a public checkpoint file and load it strictly."""
        state = load_weights_only(path, what=f"{self.name} checkpoint")
        if isinstance(state, Mapping) and "state_dict" in state and isinstance(state["state_dict"], Mapping):
            state = state["state_dict"]
        if not isinstance(state, Mapping):
            raise ConfigError(f"{self.name} checkpoint {path} is not a state dict")
        self.load_public_state_dict(state, source=f"checkpoint {path}")
