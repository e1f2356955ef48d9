"""Snakemake script for rule tracks: calls engage.tracks.track_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.tracks import track_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches track_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        track_session,
        session=snakemake.wildcards.session,
        video=snakemake.input.video,
        media_json=snakemake.input.media,
        layout_json=snakemake.input.layout,
        tracks_parquet=snakemake.output.tracks,
        threads=snakemake.threads,
    )
