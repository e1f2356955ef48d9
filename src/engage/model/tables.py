"""Rule tables: the model comparison (Markdown + CSV, one section per run group) and its two plots.

Its own module, apart from engage.model.stages, because it reads only the runs' metrics and logs:
the job does not pay torch's import (2-3 s) at its start.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from engage.io.atomic import write_text
from engage.model.labels import LEVELS


def _pct(v) -> str:
    return "" if v is None else f"{100 * v:.2f}"


def render_tables(*, run_names: list[str], runs: dict, metrics: list[str], logs: list[str], md_out: str, csv_out: str,
                  recall_png: str, curves_png: str) -> None:
    """Comparison tables (Markdown + CSV, one section per run ``group``) and the two plots."""
    from engage.model import plots

    res = {n: json.loads(Path(p).read_text()) for n, p in zip(run_names, metrics)}
    curves = {}
    for n, p in zip(run_names, logs):
        with open(p, newline="") as f:
            curves[n] = [{"loss": float(r["loss"])} for r in csv.DictReader(f)]
    header = ["run", "dataset", "variant", "loss", "audio", "n_test", "Acc", "AvgAcc", *[f"recall_{lv}" for lv in LEVELS]]
    rows, groups = [], {}
    for n in run_names:
        r, m = runs.get(n, {}), res[n]
        rows.append([n, r.get("dataset", ""), r.get("variant", ""), r.get("loss", ""), bool(r.get("audio", False)),
                     m.get("n", 0), _pct(m.get("accuracy")), _pct(m.get("average_accuracy")),
                     *[_pct((m.get("recall") or {}).get(lv)) for lv in LEVELS]])
        for g in r.get("groups") or ["runs"]:
            groups.setdefault(g, []).append(rows[-1])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["groups", *header],
                                                    *[[";".join(runs.get(r[0], {}).get("groups") or []), *r] for r in rows]])
    write_text(csv_out, buf.getvalue())
    md = ["# Model comparison", "", "Acc = overall accuracy, AvgAcc = mean per-class recall (%), on each run's eval split.", ""]
    for g in sorted(groups):
        md += [f"## {g}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        md += ["| " + " | ".join(str(x) for x in r) + " |" for r in groups[g]]
        md.append("")
    write_text(md_out, "\n".join(md))
    plots.recall_bars(recall_png, res)
    plots.training_curves(curves_png, curves)
