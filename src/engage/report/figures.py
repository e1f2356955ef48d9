"""Matplotlib figures for the Snakemake report (Agg backend, fixed size and DPI)."""

from __future__ import annotations

import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from engage.intervals import union_arrays  # noqa: E402
from engage.io.atomic import atomic_path  # noqa: E402

PALETTE = plt.get_cmap("tab10").colors


def _save(fig, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)


def layout_figure(panels: list[tuple[np.ndarray, list[dict], str]], title: str, path: str | os.PathLike) -> None:
    """One panel per layout span shown: its frame with each tile drawn and labelled (id, camera off).

    ``panels``: (RGB frame, tiles, panel title). A person keeps one colour in every panel, so the
    reader sees the ids follow people through reflows, joins and screen sharing.
    """
    ids = sorted({t["id"] for _f, tiles, _t in panels for t in tiles})
    color_of = {pid: PALETTE[i % len(PALETTE)] for i, pid in enumerate(ids)}
    n = max(1, len(panels))
    cols = min(3, n)
    rows = math.ceil(n / cols)
    h, w = panels[0][0].shape[:2] if panels else (9, 16)
    pw = 8.0 if cols == 1 else 5.0  # inches per panel
    fig, axes = plt.subplots(rows, cols, figsize=(pw * cols, (pw * h / w + 0.4) * rows + 0.5), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    fs = 10 if cols == 1 else 7
    for ax, (frame, tiles, sub) in zip(axes.ravel(), panels):
        ax.imshow(frame)
        for t in tiles:
            color = color_of[t["id"]]
            ax.add_patch(plt.Rectangle((t["x"], t["y"]), t["w"], t["h"], fill=False, lw=2.5 if cols == 1 else 1.5, ec=color))
            label = t["id"] + ("" if t.get("camera_on", True) else " (camera off)")
            if t.get("name"):
                label += f" · {t['name']}"
            ax.text(t["x"] + 4, t["y"] + 4, label, color="white", fontsize=fs, weight="bold", va="top",
                    bbox=dict(facecolor=color, alpha=0.85, pad=1.5, lw=0))
        ax.set_title(sub, fontsize=fs + 1)
    fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path)


def speaking_figure(asd: pd.DataFrame, utterances: pd.DataFrame, threshold: float, title: str, path: str | os.PathLike) -> None:
    """Per-person ASD score over time (shaded where speaking) and transcript cues, one lane per speaker.

    The cue lanes draw the union of each speaker's cues as one collection, so a transcript of
    100,000 cues costs what one of 10 does (it used to be one bar and one label per cue: 236 s, 2.4 GB).
    """
    persons = sorted(asd["person"].unique()) if len(asd) else []
    n = max(1, len(persons))
    fig, axes = plt.subplots(n + 1, 1, figsize=(11, 1.1 * n + 1.6), sharex=True, squeeze=False)
    axes = axes[:, 0]
    for ax, person in zip(axes, persons):
        d = asd[asd["person"] == person].sort_values("time")
        score = d["score"].astype(float)
        ax.plot(d["time"], score, lw=0.8, color="0.3")
        speaking = d["speaking"].fillna(False).astype(bool).to_numpy()
        ax.fill_between(d["time"], 0, 1, where=speaking, transform=ax.get_xaxis_transform(), color="tab:green", alpha=0.3, lw=0)
        ax.axhline(threshold, color="tab:red", lw=0.6, ls="--")
        ax.set_ylabel(person, rotation=0, ha="right", va="center")
        if score.isna().all():
            ax.text(0.5, 0.5, "no face / no audio: no score", transform=ax.transAxes, ha="center", va="center", color="0.4")
    cue_ax = axes[-1]
    colors = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(persons)}
    lanes = cue_lanes(utterances)
    for k, (speaker, starts, ends) in enumerate(lanes):
        # one collection per speaker of the union of their cues: as cheap for 100,000 cues as for 10
        cue_ax.broken_barh(list(zip(starts, ends - starts)), (k - 0.4, 0.8),
                           facecolors=colors.get(speaker, (0.7, 0.7, 0.7)))
    cue_ax.set_yticks(range(len(lanes)), [sp for sp, _, _ in lanes], fontsize=7)
    cue_ax.set_ylim(-0.6, max(len(lanes), 1) - 0.4)
    cue_ax.set_ylabel("cues", rotation=0, ha="right", va="center")
    cue_ax.set_xlabel("time (s)")
    axes[0].set_title(title)
    fig.tight_layout()
    _save(fig, path)


UNATTRIBUTED = "?"


def cue_lanes(utterances: pd.DataFrame) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(speaker, union starts, union ends) per attributed speaker, sorted, then "?" for cues nobody got."""
    if utterances.empty:
        return []
    spk = utterances["speaker"].astype(object).where(utterances["speaker"].notna() & (utterances["speaker"] != ""),
                                                     UNATTRIBUTED).astype(str)
    start, end = utterances["start"].to_numpy(np.float64), utterances["end"].to_numpy(np.float64)
    names = sorted(set(spk) - {UNATTRIBUTED}) + ([UNATTRIBUTED] if (spk == UNATTRIBUTED).any() else [])
    out = []
    for name in names:
        m = (spk == name).to_numpy()
        s, e = union_arrays(start[m], end[m])
        out.append((name, s, e))
    return out


def coverage_figure(cov: pd.DataFrame, title: str, path: str | os.PathLike) -> None:
    """Bars per person: share of clips with a face, face-frame success rate, share of clips with speech."""
    cols = [c for c in ("face_fraction", "face_success", "speech_share") if c in cov]
    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(cov) + 2), 3.2))
    x = np.arange(len(cov))
    width = 0.8 / max(1, len(cols))
    for i, c in enumerate(cols):
        ax.bar(x + i * width, cov[c].fillna(0), width, label=c.replace("_", " "), color=PALETTE[i])
    ax.set_xticks(x + width * (len(cols) - 1) / 2, cov["person"])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share")
    ax.legend(fontsize=8, ncols=len(cols), loc="upper center", bbox_to_anchor=(0.5, -0.18))
    ax.set_title(title)
    fig.tight_layout()
    _save(fig, path)
