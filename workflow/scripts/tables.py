"""Snakemake script for rule tables: calls engage.model.stages.render_tables."""

from engage.model.stages import render_tables
from engage.runner import run_stage

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    run_stage(
        snakemake,
        render_tables,
        run_names=list(snakemake.params.run_names),
        runs=dict(snakemake.params.runs),
        metrics=list(snakemake.input.metrics),
        logs=list(snakemake.input.logs),
        md_out=snakemake.output.md,
        csv_out=snakemake.output.csv,
        recall_png=snakemake.output.recall,
        curves_png=snakemake.output.curves,
    )
