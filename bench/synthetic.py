"""Synthetic ordinal benchmark of the Table 2 losses (CPU, a few minutes).

Data: CMOSE's class sizes (HD 346, DE 2208, EG 8469, HE 1170; scaled by --scale) with intra-class
variation: each clip has a latent engagement z drawn uniformly inside its class's interval
(HD [-1,-0.5), DE [-0.5,0), EG [0,0.5), HE [0.5,1]) and one of three behaviour "styles" that
express z through different feature channels; persons add an offset; features are noisy and of the
real shapes (face statistics 3D x T with a smaller D, 1024-d I3D). Split by person (20 % test).

Prints Acc and AvgAcc (mean +- std over seeds) per loss. Usage:
    OMP_NUM_THREADS=1 .venv/bin/python bench/synthetic.py [--seeds 3] [--epochs 10] [--scale 0.25]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from engage.model.metrics import summarize
from engage.model.split import split_persons
from engage.model.training import predict, train_model

COUNTS = {"HD": 346, "DE": 2208, "EG": 8469, "HE": 1170}
EDGES = [(-1.0, -0.5), (-0.5, 0.0), (0.0, 0.5), (0.5, 1.0)]


def make_data(seed: int, scale: float, D: int = 8, T: int = 10, i3d_dim: int = 1024, n_persons: int = 300) -> dict:
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
    w = rng.normal(0, 1, (3, 16))
    for s in range(3):
        m = style == s
        i3d[np.ix_(m, range(16 * s, 16 * s + 16))] += signal[m, None] * w[s][None, :]
    keys = [f"p{p}" for p in person]
    assign = split_persons(keys, seed, 0.2)
    return {"face": face, "i3d": i3d, "aud": np.zeros((n, 7), np.float32), "text": np.zeros((n, 0), np.float32),
            "has_speech": np.zeros(n, bool), "labels": labels.astype(np.int64),
            "split": np.array([assign[k] for k in keys]), "clip_id": [str(i) for i in range(n)]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.25, help="fraction of CMOSE's class sizes")
    ap.add_argument("--losses", default="ce,mse,ce_center,mse_rank,mse_triplet,cb_focal,ldam,mocorank,mocorank_center")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = {"hidden": 32, "mlp_hidden": 64, "tcn_levels": 2, "dropout": 0.1}
    train = {"epochs": args.epochs, "batch_size": 256, "lr": 2e-3, "lr_min": 1e-5, "weight_decay": 1e-3,
             "pool_size": 2048, "momentum": 0.99, "device": "cpu"}
    results = {}
    t0 = time.monotonic()
    for seed in range(args.seeds):
        data = make_data(seed, args.scale)
        test = np.flatnonzero(data["split"] == "test")
        for loss in args.losses.split(","):
            m, _ = train_model(data, {}, {"loss": loss, **model}, {**train, "seed": seed})
            _, pred = predict(m, data, test)
            r = summarize(data["labels"][test], pred)
            results.setdefault(loss, []).append((r["accuracy"], r["average_accuracy"]))
    n = len(data["labels"])
    print(f"synthetic ordinal benchmark: {n} clips (scale {args.scale}), {args.seeds} seeds, {args.epochs} epochs, "
          f"{time.monotonic() - t0:.0f} s on CPU")
    print("| loss | Acc (%) | AvgAcc (%) |\n|---|---|---|")
    for loss, v in results.items():
        a = 100 * np.array(v)
        print(f"| {loss} | {a[:, 0].mean():.1f} ± {a[:, 0].std():.1f} | {a[:, 1].mean():.1f} ± {a[:, 1].std():.1f} |")


if __name__ == "__main__":
    main()
