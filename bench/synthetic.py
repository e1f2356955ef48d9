"""Synthetic ordinal benchmark of the Table 2 losses: same data, schedule and hyper-parameters for all.

Data: CMOSE's class sizes (HD 346, DE 2208, EG 8469, HE 1170; scaled by --scale) with intra-class
variation: each clip has a latent engagement z drawn uniformly inside its class's interval
(HD [-1,-0.5), DE [-0.5,0), EG [0,0.5), HE [0.5,1]) and one of three behaviour "styles" that
express z through different feature channels; persons add an offset (std 0.15, so classes overlap
near their borders); features are noisy and of the real kinds (face statistics 3D x T and an I3D-like
vector, both smaller than the real ones so that a run fits on a CPU). Split by person: 20 % of the
persons are a held-out test split that is never looked at during training; the model of the last
step is evaluated (no checkpoint selection).

Every loss gets the same network, the same number of optimiser steps (--steps, rounded up to whole
epochs) and the paper's optimiser settings (AdamW, lr 5e-4 cosine-annealed per epoch to 5e-7, weight
decay 1e-3, batch 256); MocoRank uses the paper's pool |P| = 2048 and momentum m = 0.999. CE and MSE
use the class sampler (Table 2's "Class Sampler+" rows), the others plain shuffling, as in the paper.

Momentum horizon: the paper's m = 0.999 (key-encoder time constant 1/(1-m) = 1000 steps) belongs to a
run of 1200 epochs (~47 000 steps on CMOSE's training split, so ~2 % of training); in a run of ~2000
steps it would leave the key encoder, and so the score pool, mostly at its random initialisation.
``mocorank`` therefore runs with the documented config option ``train.momentum_reference_steps`` set to
the paper's horizon on this data set (1200 epochs x this training split's steps per epoch): same time
constant as a fraction of training (``engage.model.training.scaled_momentum``). ``mocorank@unscaled``
is the same run with m = 0.999 as is. Both values are printed.

Prints Acc, AvgAcc and per-class recall (mean +- std over seeds) per loss as Markdown. Usage:
    OMP_NUM_THREADS=1 .venv/bin/python bench/synthetic.py [--seeds 3] [--steps 2000] [--jobs 2] [--scale 1.0]
        [--losses ce,mse,ce_center,mocorank,mocorank@unscaled] [--losses all] [--momentum 0.999]
        [--momentum-reference-epochs 1200]
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
import torch

from engage.model.losses import LOSSES
from engage.model.metrics import summarize
from engage.model.split import split_persons
from engage.model.training import predict, scaled_momentum, train_model

COUNTS = {"HD": 346, "DE": 2208, "EG": 8469, "HE": 1170}
EDGES = [(-1.0, -0.5), (-0.5, 0.0), (0.0, 0.5), (0.5, 1.0)]
DEFAULT_LOSSES = "ce,mse,ce_center,mocorank,mocorank@unscaled"
#: the paper's training length (Implementation Details), the horizon its momentum m = 0.999 belongs to
PAPER_EPOCHS = 1200
MODEL = {"hidden": 32, "mlp_hidden": 64, "tcn_levels": 2, "dropout": 0.25}
#: The paper's optimiser settings (Implementation Details), identical for every loss.
TRAIN = {"batch_size": 256, "lr": 5e-4, "lr_min": 5e-7, "weight_decay": 1e-3, "pool_size": 2048,
         "momentum": 0.999, "device": "cpu"}


def make_data(seed: int, scale: float, D: int = 8, T: int = 10, i3d_dim: int = 128, n_persons: int = 300) -> dict:
    """One synthetic data set (arrays in the layout ``train_model`` reads); deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    labels = np.concatenate([np.full(max(4, int(round(c * scale))), i) for i, c in enumerate(COUNTS.values())])
    n = len(labels)
    lo = np.array([EDGES[i][0] for i in labels])
    z = lo + 0.5 * rng.random(n)
    style = rng.integers(0, 3, n)
    person = rng.integers(0, n_persons, n)
    p_off = rng.normal(0, 0.15, n_persons)[person]
    signal = z + p_off
    face = rng.normal(0, 1.0, (n, 3 * D, T)).astype(np.float32)
    for s in range(3):  # each style shows engagement in other channels (and only in part of the clip)
        m = style == s
        ch = [s, s + 3, D + s]
        t0 = rng.integers(0, T // 2)
        face[np.ix_(m, ch, range(t0, T))] += (2.5 * signal[m])[:, None, None]
    i3d = rng.normal(0, 1.0, (n, i3d_dim)).astype(np.float32)
    block = min(16, i3d_dim // 3)
    w = rng.normal(0, 1, (3, block))
    for s in range(3):
        m = style == s
        i3d[np.ix_(m, range(block * s, block * s + block))] += signal[m, None] * w[s][None, :]
    keys = [f"p{p}" for p in person]
    assign = split_persons(keys, seed, 0.2)
    return {"face": face, "i3d": i3d, "aud": np.zeros((n, 7), np.float32), "text": np.zeros((n, 0), np.float32),
            "has_speech": np.zeros(n, bool), "labels": labels.astype(np.int64),
            "split": np.array([assign[k] for k in keys]), "clip_id": [str(i) for i in range(n)]}


def epochs_for(n_train: int, batch_size: int, steps: int) -> int:
    """Whole epochs giving at least ``steps`` optimiser steps (every sampler yields n_train items/epoch)."""
    return max(1, math.ceil(steps / math.ceil(n_train / batch_size)))


def fmt(values) -> str:
    a = 100 * np.asarray(values, dtype=np.float64)
    return f"{a.mean():.1f} ± {a.std():.1f}"


def run_one(seed: int, loss: str, args: argparse.Namespace) -> tuple[dict, float, int]:
    """Train ``loss`` on the data set of ``seed``; (test metrics, CPU seconds, optimiser steps)."""
    torch.set_num_threads(1)
    t0 = time.process_time()
    data = make_data(seed, args.scale, i3d_dim=args.i3d_dim)
    test = np.flatnonzero(data["split"] == "test")
    n_train = int((data["split"] == "train").sum())
    epochs = epochs_for(n_train, TRAIN["batch_size"], args.steps)
    loss_name, _, variant = loss.partition("@")
    reference = None if variant == "unscaled" else reference_steps(n_train, args.momentum_reference_epochs)
    train = {**TRAIN, "momentum": args.momentum, "momentum_reference_steps": reference, "epochs": epochs, "seed": seed}
    m, rows = train_model(data, {}, {"loss": loss_name, **MODEL}, train)
    _, pred = predict(m, data, test)
    metrics = summarize(data["labels"][test], pred)
    metrics["n_clips"], metrics["epochs"], metrics["momentum"] = len(data["labels"]), epochs, rows[-1]["momentum"]
    return metrics, time.process_time() - t0, epochs * math.ceil(n_train / TRAIN["batch_size"])


def reference_steps(n_train: int, reference_epochs: int) -> int | None:
    """Optimiser steps of the paper's run length on this training split (None: no momentum scaling)."""
    return reference_epochs * math.ceil(n_train / TRAIN["batch_size"]) if reference_epochs else None


def label(loss: str, momentum: float) -> str:
    if not loss.startswith("mocorank"):
        return loss
    return f"{loss} (m {momentum:.4g})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=2000, help="optimiser steps per run (rounded up to whole epochs)")
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of CMOSE's class sizes")
    ap.add_argument("--i3d-dim", type=int, default=128)
    ap.add_argument("--losses", default=DEFAULT_LOSSES, help=f"comma-separated, or 'all' ({','.join(LOSSES)})")
    ap.add_argument("--momentum", type=float, default=TRAIN["momentum"], help="MocoRank momentum m (paper 0.999)")
    ap.add_argument("--momentum-reference-epochs", type=int, default=PAPER_EPOCHS,
                    help="run length (epochs of this training split) that m belongs to; mocorank scales m to keep "
                         "the key encoder's time constant the same fraction of training (0: no scaling; "
                         "a loss written NAME@unscaled never scales)")
    ap.add_argument("--jobs", type=int, default=2, help="runs in parallel (processes of one thread each)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    losses = list(LOSSES) + ["mocorank@unscaled"] if args.losses == "all" else args.losses.split(",")
    for loss in losses:
        if loss.partition("@")[0] not in LOSSES or loss.partition("@")[2] not in ("", "unscaled"):
            ap.error(f"unknown loss {loss!r}")
    tasks = [(seed, loss) for seed in range(args.seeds) for loss in losses]
    t_start = time.monotonic()
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futures = {ex.submit(run_one, seed, loss, args): (seed, loss) for seed, loss in tasks}
        done = {}
        for fut in as_completed(futures):
            seed, loss = futures[fut]
            done[(seed, loss)] = fut.result()
            print(f"# seed {seed} {loss}: AvgAcc {100 * done[(seed, loss)][0]['average_accuracy']:.1f} "
                  f"({done[(seed, loss)][1]:.0f} CPU s)", flush=True)
    results = {loss: [done[(seed, loss)][0] for seed in range(args.seeds)] for loss in losses}
    cpu = {loss: np.mean([done[(seed, loss)][1] for seed in range(args.seeds)]) for loss in losses}
    first = done[tasks[0]]
    print(f"\nsynthetic ordinal benchmark: {first[0]['n_clips']} clips (scale {args.scale}), test = 20 % of the "
          f"persons ({first[0]['n']} clips), {args.seeds} seeds, {first[0]['epochs']} epochs = {first[2]} steps of "
          f"batch {TRAIN['batch_size']}; {time.monotonic() - t_start:.0f} s wall, {args.jobs} jobs")
    steps, spe = first[2], first[2] // first[0]["epochs"]
    ref = args.momentum_reference_epochs * spe
    if args.momentum_reference_epochs:
        m2 = scaled_momentum(args.momentum, ref, steps)
        tau, tau2 = 1 / max(1 - args.momentum, 1e-12), 1 / max(1 - m2, 1e-12)
        print(f"MocoRank momentum: paper m = {args.momentum} (time constant {tau:.0f} steps) over "
              f"{args.momentum_reference_epochs} epochs = {ref} steps of {spe}/epoch ({100 * tau / ref:.1f} % of "
              f"training); scaled to this run's {steps} steps: m' = {m2:.5f} (time constant {tau2:.0f} steps); "
              f"'mocorank@unscaled' uses m = {args.momentum} as is")
    else:
        print(f"MocoRank momentum m = {args.momentum} (no scaling)")
    print()
    print("| loss | Acc (%) | AvgAcc (%) | recall HD | DE | EG | HE | CPU s/run |\n|---|---|---|---|---|---|---|---|")
    for loss, rs in results.items():
        rec = " | ".join(fmt([r["recall"][c] for r in rs]) for c in COUNTS)
        name = label(loss, rs[0].get("momentum", math.nan))
        print(f"| {name} | {fmt([r['accuracy'] for r in rs])} | {fmt([r['average_accuracy'] for r in rs])} | "
              f"{rec} | {cpu[loss]:.0f} |")


if __name__ == "__main__":
    main()
