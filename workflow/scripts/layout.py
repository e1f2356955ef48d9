"""Snakemake script for rule layout: calls engage.layout.layout_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.layout import layout_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches layout_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        layout_session,
        session=snakemake.wildcards.session,
        video=snakemake.input.video,
        media_json=snakemake.input.media,
        out_json=snakemake.output[0],
        override=snakemake.input.override[0] if snakemake.input.override else None,
        threads=snakemake.threads,
    )
