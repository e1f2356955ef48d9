"""Snakemake script for rule cues: calls engage.cues.write_cues_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.cues import write_cues_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches write_cues_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        write_cues_session,
        session=snakemake.wildcards.session,
        transcript=snakemake.input.transcript[0] if snakemake.input.transcript else None,
        media_json=snakemake.input.media,
        output=snakemake.output[0],
    )
