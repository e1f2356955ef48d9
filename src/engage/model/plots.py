"""PNG plots for the report (matplotlib Agg): per-class recall bars (paper Figure 4), training curves,
per-person engagement timelines."""

from __future__ import annotations

import os

import numpy as np

from engage.io.atomic import atomic_path
from engage.model.labels import LEVELS, THRESHOLDS


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path) -> None:
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)


def recall_bars(path: str | os.PathLike, runs: dict[str, dict]) -> None:
    """Grouped bars: recall per class (x) for each run (paper Figure 4)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(LEVELS) * max(1, len(runs)) / 2), 3.5))
    names = sorted(runs)
    w = 0.8 / max(len(names), 1)
    x = np.arange(len(LEVELS))
    for i, name in enumerate(names):
        rec = runs[name].get("recall", {})
        ax.bar(x + i * w - 0.4 + w / 2, [rec.get(lv) or 0.0 for lv in LEVELS], w, label=name)
    ax.set_xticks(x, LEVELS)
    ax.set_ylim(0, 1)
    ax.set_ylabel("recall (test)")
    ax.legend(fontsize=7, ncol=2)
    _save(fig, path)


def training_curves(path: str | os.PathLike, logs: dict[str, list[dict]]) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name in sorted(logs):
        rows = logs[name]
        if rows:
            ax.plot(np.arange(1, len(rows) + 1), [r["loss"] for r in rows], label=name)
    ax.set_xlabel("epoch (all phases)")
    ax.set_ylabel("training loss")
    ax.set_yscale("symlog", linthresh=1e-2)
    ax.legend(fontsize=7)
    _save(fig, path)


def timeline(path: str | os.PathLike, session: str, persons: dict[str, list[tuple[float, float, float]]]) -> None:
    """One row per person: score over time (segments start-end), level thresholds dashed."""
    plt = _plt()
    n = max(len(persons), 1)
    fig, axes = plt.subplots(n, 1, figsize=(8, 1.4 * n + 0.6), sharex=True, squeeze=False)
    for ax, person in zip(axes[:, 0], sorted(persons)):
        for start, end, score in persons[person]:
            ax.plot([start, end], [score, score], color="tab:blue", lw=3)
        for t in THRESHOLDS:
            ax.axhline(t, color="grey", lw=0.6, ls="--")
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel(person, rotation=0, labelpad=20)
        ax.set_yticks([-0.75, -0.25, 0.25, 0.75], LEVELS, fontsize=7)
    axes[0, 0].set_title(f"{session}: engagement score per person")
    axes[-1, 0].set_xlabel("time (s)")
    _save(fig, path)
