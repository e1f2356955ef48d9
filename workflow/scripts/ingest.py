"""Snakemake script for rule ingest: calls engage.ingest.ingest_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.ingest import ingest_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches ingest_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        ingest_session,
        session=snakemake.wildcards.session,
        video=snakemake.input.video,
        media_json=snakemake.output.media,
        audio_wav=snakemake.output.audio,
        threads=snakemake.threads,
    )
