"""Snakemake script for rule eval: calls engage.model.stages.eval_run."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.model.stages import eval_run
    from engage.runner import run_stage

    # Every params: entry of the rule reaches eval_run under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        eval_run,
        dataset=snakemake.input.dataset,
        model_path=snakemake.input.model,
        run_name=snakemake.wildcards.run,
        metrics_out=snakemake.output.metrics,
        confusion_out=snakemake.output.confusion,
    )
