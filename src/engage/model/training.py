"""Training loop for every loss of Table 2 (MocoRank and baselines) and the asynchronous audio schedule.

Optimiser as the paper's Implementation Details: AdamW, lr 5e-4 cosine-annealed (per epoch) to 5e-7,
batch 256; weight decay configurable (paper 1e-3, authors' main.py 1e-1). "Class sampler" = sampling
with replacement with weights 1/n_class (the torchsampler ImbalancedDatasetSampler the authors use).
Asynchronous audio (paper): phase 1 trains the visual model on all clips with the audio branch off;
phase 2 freezes the visual extractor (TCN, MLP1, MLP2, visual head) and trains FC(BERT) and the
audio head on clips with speech only.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import torch

from engage.model.labels import LEVEL_SCORES, score_to_index
from engage.model.losses import BaselineLoss, n_outputs_for
from engage.model.metrics import summarize
from engage.model.mocorank import MocoRank
from engage.model.network import EngagementNet, ModelConfig
from engage.torchutil import log_device, pick_device

log = logging.getLogger(__name__)

TRAIN_DEFAULTS = {
    "epochs": 1200,
    "batch_size": 256,
    "lr": 5e-4,
    "lr_min": 5e-7,
    "weight_decay": 1e-3,
    "seed": 0,
    "device": "auto",
    "sampler": "auto",  # auto: class-balanced for ce/mse (Table 2 "Class Sampler+"), shuffle otherwise
    "pool_size": 2048,
    "momentum": 0.999,
    "momentum_reference_steps": None,  # None: m as given; N: m is meant for a run of N steps (scaled_momentum)
    "tol": 0.5,
    "flexible_margin": True,
    "reduction": "per_gap",
    "center_weight": 0.2,
    "center_lr": 1e-3,
    "audio_schedule": "async",
    "audio_epochs": None,  # None: same as epochs
    "eval_every": 0,  # 0: evaluate the val split only after the last epoch
}

MODEL_KEYS = ("variant", "audio", "hidden", "mlp_hidden", "tcn_levels", "tcn_kernel", "dropout", "text_proj_dim", "cls_scale")


def scaled_momentum(m: float, reference_steps: int | None, steps: int) -> float:
    """The momentum that keeps the key encoder's time constant the same *fraction of training*.

    With momentum m the encoder averages the model over about tau = 1 / (1 - m) steps. ``m`` is taken
    as the value for a run of ``reference_steps`` optimiser steps (the paper: m = 0.999, tau = 1000
    steps, in 1200 epochs of ~39 steps = ~47 000 steps, i.e. ~2 % of training); a run of ``steps``
    steps gets tau' = tau * steps / reference_steps, i.e. m' = 1 - (1 - m) * reference_steps / steps,
    floored at 0 (the encoder is then the model itself). ``reference_steps`` None or 0: m unchanged.
    """
    if not reference_steps:
        return float(m)
    if steps < 1 or reference_steps < 0:
        raise ValueError(f"momentum scaling needs positive step counts, got steps={steps}, reference={reference_steps}")
    return max(0.0, 1.0 - (1.0 - float(m)) * reference_steps / steps)


def set_determinism(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))
    torch.use_deterministic_algorithms(True, warn_only=True)


def to_tensors(arr: dict, idx: np.ndarray, device: torch.device) -> dict:
    b = {k: torch.as_tensor(np.asarray(arr[k])[idx]) for k in ("face", "i3d", "aud", "text", "has_speech", "labels")}
    return {k: v.to(device) for k, v in b.items()}


def model_config_for(arrays: dict, meta: dict, run: dict) -> ModelConfig:
    kw = {k: run[k] for k in MODEL_KEYS if k in run and run[k] is not None}
    return ModelConfig(
        face_dim=int(arrays["face"].shape[1]),
        n_chunks=int(arrays["face"].shape[2]),
        i3d_dim=int(arrays["i3d"].shape[1]),
        text_dim=int(arrays["text"].shape[1]),
        aud_dim=int(arrays["aud"].shape[1]),
        n_outputs=n_outputs_for(run["loss"]),
        face_columns=list(meta.get("face_columns", [])),
        **kw,
    )


def fit_scalers(model: EngagementNet, arrays: dict, idx: np.ndarray) -> None:
    face = arrays["face"][idx]
    aud = arrays["aud"][idx][arrays["has_speech"][idx]]
    if len(aud) == 0:
        aud = np.zeros((1, arrays["aud"].shape[1]), np.float32)
    model.set_scalers(face.mean(axis=(0, 2)), face.std(axis=(0, 2)), arrays["i3d"][idx].mean(0),
                      arrays["i3d"][idx].std(0), aud.mean(0), aud.std(0) if len(aud) > 1 else np.ones(aud.shape[1]))


@torch.no_grad()
def predict(model: EngagementNet, arrays: dict, idx: np.ndarray | None = None, batch_size: int = 1024,
            device: torch.device | None = None, use_audio: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(scores in [-1, 1], level indices). Classifier runs: score = expected level score under softmax."""
    device = device or next(model.parameters()).device
    idx = np.arange(len(arrays["labels"])) if idx is None else idx
    model.eval()
    scores, levels = [], []
    for a in range(0, len(idx), batch_size):
        b = to_tensors(arrays, idx[a : a + batch_size], device)
        if not use_audio:
            b["has_speech"] = torch.zeros_like(b["has_speech"])
        out, _ = model(b)
        if model.cfg.n_outputs == 1:
            s = out.clamp(-1, 1).cpu().numpy()
            scores.append(s)
            levels.append(score_to_index(s))
        else:
            p = torch.softmax(model.cfg.cls_scale * out, dim=1)
            scores.append((p @ torch.tensor(LEVEL_SCORES, device=p.device)).cpu().numpy())
            levels.append(p.argmax(dim=1).cpu().numpy())
    if not scores:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    return np.concatenate(scores).astype(np.float32), np.concatenate(levels).astype(np.int64)


@dataclass
class Phase:
    name: str
    epochs: int
    idx: np.ndarray
    use_audio: bool
    freeze_visual: bool


def _epoch_order(labels: np.ndarray, sampler: str, gen: torch.Generator) -> np.ndarray:
    n = len(labels)
    if sampler == "class_balanced":
        counts = np.bincount(labels, minlength=4).astype(np.float64)
        w = torch.tensor(1.0 / counts[labels])
        return torch.multinomial(w, n, replacement=True, generator=gen).numpy()
    return torch.randperm(n, generator=gen).numpy()


def _phases(arrays: dict, tr: np.ndarray, audio: bool, cfg_t: dict) -> list[Phase]:
    """Visual-then-audio phases for an asynchronous audio run, else one joint phase."""
    audio_async = audio and cfg_t["audio_schedule"] == "async"
    phases = [Phase("visual" if audio_async else "joint", int(cfg_t["epochs"]), tr, audio and not audio_async, False)]
    if audio_async:
        sp = tr[arrays["has_speech"][tr]]
        if len(sp) == 0:
            log.warning("audio run: no training clip has speech; the audio branch stays untrained")
        else:
            phases.append(Phase("audio", int(cfg_t["audio_epochs"] or cfg_t["epochs"]), sp, True, True))
    return phases


@dataclass
class _PhaseState:
    """What one phase optimises with: optimiser, schedule, losses (and MocoRank's encoder and pool)."""

    opt: torch.optim.Optimizer
    sched: object
    base: BaselineLoss
    center_opt: torch.optim.Optimizer | None
    mocorank: MocoRank | None


def _phase_state(model: EngagementNet, ph: Phase, loss_name: str, counts: np.ndarray, cfg_t: dict,
                 gen: torch.Generator, device: torch.device) -> _PhaseState:
    if ph.freeze_visual:
        for m in model.visual_modules():
            for p in m.parameters():
                p.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg_t["lr"], weight_decay=cfg_t["weight_decay"])
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(ph.epochs, 1), eta_min=cfg_t["lr_min"])
    base = BaselineLoss(loss_name, model.embedding_dim, counts, model.cfg.cls_scale, gen,
                        center_weight=cfg_t["center_weight"]).to(device)
    center_opt = torch.optim.SGD(base.center.parameters(), lr=cfg_t["center_lr"]) if base.center is not None else None
    mocorank = None
    if loss_name.startswith("mocorank"):  # a fresh encoder and pool per phase (the audio phase trains another head)
        steps = ph.epochs * math.ceil(len(ph.idx) / int(cfg_t["batch_size"]))
        momentum = scaled_momentum(float(cfg_t["momentum"]), cfg_t["momentum_reference_steps"], steps)
        if momentum != float(cfg_t["momentum"]):
            log.info("MocoRank phase %s: momentum %.6g for a run of %s steps -> %.6g for this phase's %d steps "
                     "(same key-encoder time constant as a fraction of training)", ph.name, cfg_t["momentum"],
                     cfg_t["momentum_reference_steps"], momentum, steps)
        mocorank = MocoRank(model, model.embedding_dim, int(cfg_t["pool_size"]), momentum,
                            tol=float(cfg_t["tol"]), flexible_margin=bool(cfg_t["flexible_margin"]),
                            reduction=cfg_t["reduction"], generator=gen)
    return _PhaseState(opt, sched, base, center_opt, mocorank)


def _train_epoch(model: EngagementNet, arrays: dict, ph: Phase, st: _PhaseState, order: np.ndarray, batch_size: int,
                 device: torch.device) -> tuple[float, float]:
    """One pass over ``order``; (mean main loss, mean extra loss) over its batches."""
    model.train()
    if ph.freeze_visual:
        for m in model.visual_modules():
            m.eval()
    tot, tot_extra, nb = 0.0, 0.0, 0
    for a in range(0, len(order), batch_size):
        b = to_tensors(arrays, order[a : a + batch_size], device)
        if not ph.use_audio:
            b["has_speech"] = torch.zeros_like(b["has_speech"])
        y = b["labels"]
        out, emb = model(b)
        loss = st.mocorank.loss(model, b, out, emb, y) if st.mocorank is not None else st.base.main(out, y)
        extra = st.base.extra(emb, y)
        st.opt.zero_grad(set_to_none=True)
        if st.center_opt is not None:
            st.center_opt.zero_grad(set_to_none=True)
        (loss + extra).backward()
        st.opt.step()
        if st.center_opt is not None:
            st.center_opt.step()
        tot += float(loss.detach())
        tot_extra += float(extra.detach())
        nb += 1
    return tot / max(nb, 1), tot_extra / max(nb, 1)


def train_model(arrays: dict, meta: dict, run: dict, train: dict, progress=None) -> tuple[EngagementNet, list[dict]]:
    """Train one run on the ``train`` split; returns (model on CPU, per-epoch log rows)."""
    cfg_t = {**TRAIN_DEFAULTS, **{k: v for k, v in train.items() if v is not None}}
    loss_name = run["loss"]
    set_determinism(int(cfg_t["seed"]))
    gen = torch.Generator().manual_seed(int(cfg_t["seed"]))
    device = pick_device(cfg_t["device"], config_key="train.device")
    log_device(log, "train", device)
    split = np.asarray(arrays["split"])
    labels = arrays["labels"]
    tr = np.flatnonzero((split == "train") & (labels >= 0))
    va = np.flatnonzero((split == "val") & (labels >= 0))
    if len(tr) == 0:
        raise ValueError("the dataset has no labelled training rows")
    mcfg = model_config_for(arrays, meta, run)
    model = EngagementNet(mcfg)
    fit_scalers(model, arrays, tr)
    model.to(device)
    counts = np.bincount(labels[tr], minlength=4)
    sampler = cfg_t["sampler"]
    if sampler == "auto":
        sampler = "class_balanced" if loss_name in ("ce", "mse") else "shuffle"
    phases = _phases(arrays, tr, mcfg.audio, cfg_t)
    rows = []
    step_total = sum(p.epochs for p in phases)
    for ph in phases:
        st = _phase_state(model, ph, loss_name, counts, cfg_t, gen, device)
        lab = labels[ph.idx]
        for epoch in range(1, ph.epochs + 1):
            order = ph.idx[_epoch_order(lab, sampler, gen)]
            loss, extra = _train_epoch(model, arrays, ph, st, order, int(cfg_t["batch_size"]), device)
            row = {"phase": ph.name, "epoch": epoch, "loss": loss, "loss_extra": extra,
                   "lr": st.opt.param_groups[0]["lr"], "val_accuracy": math.nan, "val_average_accuracy": math.nan,
                   "momentum": st.mocorank.momentum if st.mocorank is not None else math.nan}
            st.sched.step()
            if len(va) and (epoch == ph.epochs or (cfg_t["eval_every"] and epoch % int(cfg_t["eval_every"]) == 0)):
                _, pred = predict(model, arrays, va, device=device, use_audio=ph.use_audio)
                m = summarize(labels[va], pred)
                row["val_accuracy"], row["val_average_accuracy"] = m["accuracy"], m["average_accuracy"]
            rows.append(row)
            if progress:
                progress(len(rows), step_total, row)
    model.to("cpu").eval()
    return model, rows
