"""The CMOSE engagement network (paper, "Method"), with the ablation variants as switches.

    X_TCN  = TCN(ps)                                   ps in R^{3D x T}, X_TCN in R^{C x T}
    X_attn = softmax(MLP1(X_I3D) . X_TCN)              in R^{1 x T}           (eq. 1)
    X_HL   = X_TCN . X_attn^T                          in R^C                 (eq. 2)
    X      = concat(MLP2(X_I3D), X_HL)                 in R^{2C}              (eq. 3)
    X'     = concat(X, FC(BERT(sp)), X_aud)            clips with speech      (eqs. 5-7)
    s      = NormedLinear(normalize(X or X'))          in [-1, 1]             (eqs. 4, 8)

Variants (paper Tables 3 and 4): ``openface`` (TCN only, last time step as the authors' ResnetTCN
``out[:, :, -1]``), ``i3d`` (MLP2 only), ``attention`` (X_HL only), ``concat`` (MLP2 + last TCN
step), ``concat_attention`` (the full model). ``audio`` adds the speech branch.

Our additions (docs/model.md): inputs are standardised inside the model with train-split statistics
kept as buffers (so predict uses the same scaling); classifier baselines use the same normalised head
with 4 outputs (as the authors' code does), scaled by ``cls_scale`` before softmax.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from engage.model.tcn import TemporalConvNet

VARIANTS = ("openface", "i3d", "attention", "concat", "concat_attention")


@dataclass
class ModelConfig:
    """Everything needed to rebuild the network (stored as JSON next to the state dict)."""

    face_dim: int  # 3D: min, max, variance of D face columns
    n_chunks: int  # T
    i3d_dim: int = 1024
    text_dim: int = 768
    aud_dim: int = 7
    variant: str = "concat_attention"
    audio: bool = False
    hidden: int = 128  # C
    mlp_hidden: int = 256
    tcn_levels: int = 4
    tcn_kernel: int = 3
    dropout: float = 0.25
    text_proj_dim: int = 768  # paper: X_sp in R^768
    n_outputs: int = 1  # 1: engagement score (MocoRank, MSE); 4: class logits (CE, focal, LDAM)
    cls_scale: float = 16.0
    face_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        return cls(**d)


class NormedLinear(nn.Module):
    """Cosine layer: normalize(x) @ normalize(W) without bias, so outputs lie in [-1, 1]."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        w = torch.empty(in_features, out_features).uniform_(-1, 1)
        self.weight = nn.Parameter(w / w.norm(dim=0, keepdim=True).clamp_min(1e-12))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(x, dim=1) @ F.normalize(self.weight, dim=0)


def _mlp(d_in: int, d_hidden: int, d_out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(nn.Linear(d_in, d_hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(d_hidden, d_out))


class EngagementNet(nn.Module):
    """forward(batch) -> (output, embedding). Output: (B,) scores or (B, 4) cosine logits."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        if cfg.variant not in VARIANTS:
            raise ValueError(f"unknown model variant {cfg.variant!r}; choose one of {', '.join(VARIANTS)}")
        self.cfg = cfg
        v = cfg.variant
        self.use_tcn = v != "i3d"
        self.use_attention = v in ("attention", "concat_attention")
        self.use_i3d_branch = v in ("i3d", "concat", "concat_attention")
        C = cfg.hidden
        for name, dim in (("face", cfg.face_dim), ("i3d", cfg.i3d_dim), ("aud", cfg.aud_dim)):
            self.register_buffer(f"{name}_mean", torch.zeros(dim))
            self.register_buffer(f"{name}_std", torch.ones(dim))
        if self.use_tcn:
            self.tcn = TemporalConvNet(cfg.face_dim, [C] * cfg.tcn_levels, cfg.tcn_kernel, cfg.dropout)
        if self.use_attention:
            self.mlp1 = _mlp(cfg.i3d_dim, cfg.mlp_hidden, C, cfg.dropout)  # two FC + dropout, last has C units
        if self.use_i3d_branch:
            self.mlp2 = nn.Sequential(nn.Linear(cfg.i3d_dim, cfg.mlp_hidden), nn.ReLU(), nn.Linear(cfg.mlp_hidden, C))
        self.visual_dim = C * (int(self.use_tcn) + int(self.use_i3d_branch))
        self.head = NormedLinear(self.visual_dim, cfg.n_outputs)
        if cfg.audio:
            self.text_fc = nn.Linear(cfg.text_dim, cfg.text_proj_dim)
            self.audio_head = NormedLinear(self.embedding_dim, cfg.n_outputs)

    @property
    def embedding_dim(self) -> int:
        extra = self.cfg.text_proj_dim + self.cfg.aud_dim if self.cfg.audio else 0
        return self.visual_dim + extra

    def set_scalers(self, face_mean, face_std, i3d_mean, i3d_std, aud_mean, aud_std) -> None:
        """Store train-split feature statistics (std clamped away from zero)."""
        for name, val in (("face_mean", face_mean), ("face_std", face_std), ("i3d_mean", i3d_mean),
                          ("i3d_std", i3d_std), ("aud_mean", aud_mean), ("aud_std", aud_std)):
            t = torch.as_tensor(val, dtype=torch.float32)
            if name.endswith("std"):
                t = t.clamp_min(1e-6)
            getattr(self, name).copy_(t)

    def visual_modules(self) -> list[nn.Module]:
        return [m for m in (getattr(self, n, None) for n in ("tcn", "mlp1", "mlp2", "head")) if m is not None]

    def audio_modules(self) -> list[nn.Module]:
        return [m for m in (getattr(self, n, None) for n in ("text_fc", "audio_head")) if m is not None]

    def visual_features(self, face: torch.Tensor, i3d: torch.Tensor) -> torch.Tensor:
        """X (paper eq. 3) or the variant's part of it: (B, visual_dim)."""
        parts = []
        i3d = (i3d - self.i3d_mean) / self.i3d_std
        if self.use_i3d_branch:
            parts.append(self.mlp2(i3d))
        if self.use_tcn:
            face = (face - self.face_mean[None, :, None]) / self.face_std[None, :, None]
            x_tcn = self.tcn(face)  # (B, C, T)
            if self.use_attention:
                q = self.mlp1(i3d)  # (B, C)
                attn = torch.softmax(torch.einsum("bc,bct->bt", q, x_tcn), dim=-1)  # eq. 1
                parts.append(torch.einsum("bct,bt->bc", x_tcn, attn))  # eq. 2
            else:
                parts.append(x_tcn[:, :, -1])
        return torch.cat(parts, dim=1)

    def forward(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.visual_features(batch["face"], batch["i3d"])
        out = self.head(x)
        emb = x
        if self.cfg.audio:
            speech = batch["has_speech"].bool()
            m = speech[:, None].to(x.dtype)
            sp = self.text_fc(batch["text"]) * m
            aud = ((batch["aud"] - self.aud_mean) / self.aud_std) * m
            emb = torch.cat([x, sp, aud], dim=1)
            out_a = self.audio_head(emb)
            out = torch.where(speech[:, None], out_a, out)
        if self.cfg.n_outputs == 1:
            out = out[:, 0]
        return out, emb
