"""Snakemake script for rule train: calls engage.model.stages.train_run."""

from engage.model.stages import train_run
from engage.runner import run_stage

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    run_stage(
        snakemake,
        train_run,
        dataset=snakemake.input.dataset,
        run_name=snakemake.wildcards.run,
        run=dict(snakemake.params.run),
        train=dict(snakemake.params.train),
        model_out=snakemake.output.model,
        log_out=snakemake.output.train_log,
        threads=snakemake.threads,
    )
