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


#: Students drawn in the course figure (the ones in most sessions first; the table lists everyone).
MAX_COURSE_LANES = 30


def course_figure(pred: pd.DataFrame, sessions: list[str], title: str, path: str | os.PathLike) -> None:
    """One lane per identity: predicted engagement per clip in each session's slot, the session mean as a bar.

    ``pred``: predictions rows (identity, session, start, end, score). Sessions are slots of equal
    width in the given order; inside a slot the clips are at their time in the session, so a lane
    reads as one timeline through the course.
    """
    order = sorted(sessions)
    slot = {s: k for k, s in enumerate(order)}
    length = pred.groupby("session")["end"].max().to_dict() if len(pred) else {}
    counts = pred.groupby("identity")["session"].nunique() if len(pred) else pd.Series(dtype=int)
    idents = sorted(counts.index, key=lambda i: (-int(counts[i]), str(i)))[:MAX_COURSE_LANES]
    idents.sort()
    n = max(1, len(idents))
    fig, axes = plt.subplots(n, 1, figsize=(max(7.0, 1.6 * len(order) + 3), 0.9 * n + 1.4), sharex=True, squeeze=False)
    axes = axes[:, 0]
    for ax, ident in zip(axes, idents):
        d = pred[pred["identity"] == ident]
        for s, g in d.groupby("session", sort=True):
            g = g.sort_values("start")
            x = slot[s] + 0.05 + 0.9 * ((g["start"] + g["end"]) / 2 / max(float(length.get(s, 1.0)), 1e-9))
            ax.plot(x, g["score"], lw=0.9, marker=".", ms=3, color=PALETTE[slot[s] % len(PALETTE)])
            ax.hlines(float(g["score"].mean()), slot[s] + 0.05, slot[s] + 0.95, color="0.2", lw=1.6)
        ax.axhline(0.0, color="0.7", lw=0.5)
        ax.set_ylim(-1.05, 1.05)
        ax.set_yticks([-1, 0, 1])
        ax.set_ylabel(str(ident), rotation=0, ha="right", va="center", fontsize=8)
        for k in range(1, len(order)):
            ax.axvline(k, color="0.85", lw=0.6)
    if not idents:
        axes[0].text(0.5, 0.5, "no predictions", transform=axes[0].transAxes, ha="center", va="center", color="0.4")
    axes[-1].set_xlim(0, max(1, len(order)))
    axes[-1].set_xticks([k + 0.5 for k in range(len(order))], order, fontsize=8)
    axes[-1].set_xlabel("session (clips at their time within the session; bar: session mean)")
    more = f" ({len(idents)} of {len(counts)} shown)" if len(counts) > len(idents) else ""
    axes[0].set_title(title + more)
    fig.tight_layout()
    _save(fig, path)
