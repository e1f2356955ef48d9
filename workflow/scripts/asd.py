"""Snakemake script for rule asd: calls engage.asd.run_asd_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.asd import run_asd_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches run_asd_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        run_asd_session,
        session=snakemake.wildcards.session,
        tracks=snakemake.input.tracks,
        video=snakemake.input.video,
        audio=snakemake.input.audio,
        media_json=snakemake.input.media,
        out_scores=snakemake.output.scores,
        threads=snakemake.threads,
    )
