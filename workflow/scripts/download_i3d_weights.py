"""Snakemake script for rule download_i3d_weights (opt-in): calls engage.i3d.download.download_weights."""

from engage.i3d.download import download_weights
from engage.runner import run_stage

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    run_stage(
        snakemake,
        download_weights,
        url=snakemake.params.url,
        dest=snakemake.output[0],
        sha256=snakemake.params.sha256 or None,
    )
