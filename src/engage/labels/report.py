"""The ``labels_agreement`` stage: agreement.json over the dataset and per session, and its report items.

``agreement.json``: the pooled statistics of every labelled session at the top level (the same keys as
``engage labels agree``: icc2_1, icc2_1_ci95, alpha_ordinal, n_clips, n_raters, pairs, ...), then
``sessions`` (the same per session) and ``merge`` (per session: clips labelled, label sources,
dropped clips by reason). The report gets a table (agreement.html) and the rater-by-rater confusion
matrices (confusion.png).
"""

from __future__ import annotations

import html
import logging
import os

import numpy as np

from engage.io.atomic import atomic_path, write_json, write_text
from engage.io.parquet import read_meta
from engage.labels.agreement import agreement, pool
from engage.labels.merge import read_ratings
from engage.model.labels import LEVELS

log = logging.getLogger(__name__)

#: At most this many rater pairs are drawn in confusion.png (all of them are in agreement.json).
MAX_PAIRS_DRAWN = 12


def _fmt(v, digits: int = 2) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def _ci(ci) -> str:
    return "–" if not ci else f"{ci[0]:.2f} to {ci[1]:.2f}"


def agreement_html(doc: dict) -> str:
    """A small self-contained HTML page with the numbers (the report embeds it)."""
    e = html.escape
    rows = [("all sessions", doc)] + sorted(doc["sessions"].items())
    head = ("<tr><th>scope</th><th>clips rated</th><th>raters</th><th>clips with ≥ 2 ratings</th><th>exact agreement</th>"
            "<th>ICC(2,1)</th><th>95 % CI</th><th>ICC clips</th><th>Krippendorff α (ordinal)</th></tr>")
    body = "".join(
        f"<tr><td>{e(name)}</td><td>{s['n_clips']}</td><td>{s['n_raters']}</td><td>{s['n_clips_multi']}</td>"
        f"<td>{_fmt(s['exact_agreement'])}</td><td><b>{_fmt(s['icc2_1'])}</b></td><td>{_ci(s['icc2_1_ci95'])}</td>"
        f"<td>{s['icc2_1_n_clips']}</td><td>{_fmt(s['alpha_ordinal'])}</td></tr>" for name, s in rows)
    pairs = "".join(
        f"<tr><td>{e(p['raters'][0])} – {e(p['raters'][1])}</td><td>{p['n']}</td><td>{_fmt(p['kappa'])}</td>"
        f"<td>{_fmt(p['exact_agreement'])}</td></tr>" for p in doc["pairs"])
    merge = "".join(
        f"<tr><td>{e(s)}</td><td>{m['n_labelled']} of {m['n_clips']}</td>"
        f"<td>{e(', '.join(f'{k} {v}' for k, v in m['sources'].items()))}</td>"
        f"<td>{e(', '.join(f'{k} {v}' for k, v in m['dropped'].items() if v) or 'none')}</td></tr>"
        for s, m in sorted(doc["merge"].items()))
    weights = e(doc["kappa_weights"])
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Label agreement</title>
<style>body{{font-family:sans-serif;font-size:14px}} table{{border-collapse:collapse;margin:0.5em 0 1.5em}}
td,th{{border:1px solid #bbb;padding:3px 8px;text-align:right}} td:first-child,th:first-child{{text-align:left}}</style>
</head><body><h2>Inter-rater agreement</h2>
<p>ICC(2,1): two-way random effects, absolute agreement, single rater (pingouin; on the clips every rater
rated). Krippendorff's alpha with the ordinal metric (missing ratings allowed). Labels as ordinal
indices HD=0 &lt; DE=1 &lt; EG=2 &lt; HE=3; the adjudicated labels are not a rater. For comparison, the CMOSE
paper reports ICC(2,1) = 0.84 (95 % CI 0.83 to 0.85) for its three trained raters.</p>
<table>{head}{body}</table>
<h3>Rater pairs (all sessions)</h3>
<table><tr><th>raters</th><th>clips both rated</th><th>Cohen's kappa ({weights})</th><th>exact agreement</th></tr>{pairs}</table>
<h3>Merged labels per session</h3>
<table><tr><th>session</th><th>clips labelled</th><th>label source</th><th>dropped</th></tr>{merge}</table>
</body></html>
"""


def confusion_figure(path: str | os.PathLike, pairs: list[dict]) -> None:
    """One 4x4 heat map per rater pair (rows: first rater, columns: second rater)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    drawn = pairs[:MAX_PAIRS_DRAWN]
    n = max(len(drawn), 1)
    cols = min(n, 4)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.0 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    if not drawn:
        axes[0, 0].text(0.5, 0.5, "fewer than two raters:\nno confusion matrix", ha="center", va="center")
    for ax, p in zip(axes.flat, drawn):
        cm = np.asarray(p["confusion"])
        ax.axis("on")
        ax.imshow(cm, cmap="Blues", vmin=0, vmax=max(int(cm.max()), 1))
        for (i, j), v in np.ndenumerate(cm):
            ax.text(j, i, str(v), ha="center", va="center", color="white" if v > cm.max() / 2 else "black", fontsize=9)
        ax.set_xticks(range(len(LEVELS)), LEVELS)
        ax.set_yticks(range(len(LEVELS)), LEVELS)
        ax.set_ylabel(p["raters"][0])
        ax.set_xlabel(p["raters"][1])
        k = "–" if p["kappa"] is None else f"{p['kappa']:.2f}"
        ax.set_title(f"n={p['n']}, kappa={k}", fontsize=9)
    if len(pairs) > len(drawn):
        fig.suptitle(f"first {len(drawn)} of {len(pairs)} rater pairs (all in agreement.json)", fontsize=9)
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=100, metadata={"Software": None})
    plt.close(fig)


def write_agreement(
    *,
    sessions: list[str],
    ratings_files: list[str],
    merged_files: list[str],
    out_json: str | os.PathLike,
    out_html: str | os.PathLike,
    out_png: str | os.PathLike,
    kappa_weights: str = "quadratic",
) -> dict:
    """labels_agreement stage (see the module docstring); returns the JSON document."""
    per_session = {s: read_ratings(f, s) for s, f in zip(sessions, ratings_files)}
    doc = agreement(pool(per_session), kappa_weights)
    doc["sessions"] = {s: agreement(r, kappa_weights) for s, r in per_session.items()}
    doc["merge"] = {}
    for s, f in zip(sessions, merged_files):
        m = read_meta(f)
        doc["merge"][s] = {k: m.get(k) for k in ("n_labelled", "n_clips", "sources", "label_counts", "raters",
                                                 "adjudicated", "override", "tie", "min_raters")}
        doc["merge"][s]["dropped"] = {k: len(v) for k, v in m.get("dropped", {}).items()}
    write_json(out_json, doc)
    write_text(out_html, agreement_html(doc))
    confusion_figure(out_png, doc["pairs"])
    log.info("agreement over %d session(s): %d clips, %d raters, ICC(2,1) %s, alpha %s", len(sessions),
             doc["n_clips"], doc["n_raters"], _fmt(doc["icc2_1"], 3), _fmt(doc["alpha_ordinal"], 3))
    return doc
