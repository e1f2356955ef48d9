"""Snakemake script for rule download_i3d_weights (opt-in): calls engage.i3d.download.download_weights."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.i3d.download import download_weights
    from engage.runner import run_stage

    # Every params: entry of the rule reaches download_weights under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        download_weights,
        dest=snakemake.output[0],
    )
