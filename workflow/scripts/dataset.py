"""Snakemake script for rule dataset: calls engage.model.dataset.build_dataset (labelled sessions)."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.model.dataset import build_dataset
    from engage.runner import run_stage

    # Every params: entry of the rule reaches build_dataset under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        build_dataset,
        label_files=list(snakemake.input.labels),
        output=snakemake.output[0],
        name=snakemake.wildcards.name,
    )
