"""Snakemake script for rule tracks: calls engage.tracks.track_session."""

from engage.runner import run_stage
from engage.tracks import track_session

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    run_stage(
        snakemake,
        track_session,
        session=snakemake.wildcards.session,
        video=snakemake.input.video,
        media_json=snakemake.input.media,
        layout_json=snakemake.input.layout,
        tracks_parquet=snakemake.output.tracks,
        threads=snakemake.threads,
        **dict(snakemake.params.items()),
    )
