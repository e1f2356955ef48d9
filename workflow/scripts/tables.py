"""Snakemake script for rule tables: calls engage.model.tables.render_tables."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.model.tables import render_tables
    from engage.runner import run_stage

    # Every params: entry of the rule reaches render_tables under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        render_tables,
        metrics=list(snakemake.input.metrics),
        logs=list(snakemake.input.logs),
        md_out=snakemake.output.md,
        csv_out=snakemake.output.csv,
        recall_png=snakemake.output.recall,
        curves_png=snakemake.output.curves,
    )
