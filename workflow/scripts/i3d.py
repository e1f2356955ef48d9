"""Snakemake script for rule i3d: calls engage.i3d.stage.extract_i3d_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.i3d.stage import extract_i3d_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches extract_i3d_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        extract_i3d_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        output=snakemake.output[0],
        threads=snakemake.threads,
    )
