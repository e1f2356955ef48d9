"""Per-session participation summary: a CSV table and a bar chart for the Snakemake report."""

from __future__ import annotations

import csv
import io
import os

from engage.io.atomic import atomic_path, write_text

COLUMNS = ["person", "name", "talk_seconds", "talk_share", "turns", "words", "chat_messages", "replies"]


def participation_rows(persons: list[str], names: dict[str, str], talk: dict[str, float], turns: dict[str, int],
                       words: dict[str, float], chat: dict[str, int] | None, replies: dict[str, int],
                       unmatched_chat: dict[str, tuple[int, int]] | None = None) -> list[dict]:
    """One row per person (sorted), then one per unmatched chat name (person empty).

    talk_share = person's attributed talk seconds / sum over persons (0 when nobody talks).
    ``chat`` None (no chat file) leaves chat_messages empty. ``unmatched_chat``: name -> (messages, replies).
    """
    total = sum(talk.values())
    rows = []
    for p in sorted(persons):
        rows.append(dict(
            person=p, name=names.get(p, ""), talk_seconds=round(talk.get(p, 0.0), 3),
            talk_share=round(talk.get(p, 0.0) / total, 4) if total > 0 else 0.0,
            turns=turns.get(p, 0), words=round(words.get(p, 0.0), 3),
            chat_messages="" if chat is None else chat.get(p, 0), replies=replies.get(p, 0),
        ))
    for name, (n_msg, n_rep) in sorted((unmatched_chat or {}).items()):
        rows.append(dict(person="", name=name, talk_seconds=0.0, talk_share=0.0, turns=0, words=0.0,
                         chat_messages=n_msg, replies=n_rep))
    return rows


def write_participation_csv(path: str | os.PathLike, rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    write_text(path, buf.getvalue())


def plot_participation(path: str | os.PathLike, rows: list[dict], session: str) -> None:
    """Four horizontal bar panels (talk share %, turns, chat messages, replies), one bar per row."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    labels = [r["person"] + (f" ({r['name']})" if r["name"] else "") if r["person"] else f"[chat] {r['name']}"
              for r in rows] or ["(no persons)"]
    panels = [
        ("talk share (%)", [100 * float(r["talk_share"]) for r in rows]),
        ("turns", [r["turns"] for r in rows]),
        ("chat messages", [0 if r["chat_messages"] == "" else r["chat_messages"] for r in rows]),
        ("replies", [r["replies"] for r in rows]),
    ]
    height = max(2.5, 0.35 * len(labels) + 1.2)
    fig, axes = plt.subplots(1, 4, figsize=(12, height), sharey=True)
    ys = list(range(len(labels)))
    for i, (ax, (title, values)) in enumerate(zip(axes, panels)):
        ax.barh(ys, values or [0] * len(ys), color="#4C72B0")
        if i:  # count panels: whole-number ticks
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(ys)
    axes[0].set_yticklabels(labels, fontsize=8)
    axes[0].invert_yaxis()
    if rows and all(r["chat_messages"] == "" for r in rows):
        axes[2].text(0.5, 0.5, "no chat file", transform=axes[2].transAxes, ha="center", va="center", color="gray")
    fig.suptitle(f"Participation: {session}", fontsize=11)
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
