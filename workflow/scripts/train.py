"""Snakemake script for rule train: calls engage.model.stages.train_run."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.model.stages import train_run
    from engage.runner import run_stage

    # Every params: entry of the rule reaches train_run under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        train_run,
        dataset=snakemake.input.dataset,
        run_name=snakemake.wildcards.run,
        model_out=snakemake.output.model,
        log_out=snakemake.output.train_log,
        threads=snakemake.threads,
    )
