"""Snakemake script for rule speakers: calls engage.speakers.attribute_speakers_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.speakers import attribute_speakers_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches attribute_speakers_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        attribute_speakers_session,
        session=snakemake.wildcards.session,
        asd=snakemake.input.scores,
        cues=snakemake.input.cues,
        layout_json=snakemake.input.layout,
        media_json=snakemake.input.media,
        output=snakemake.output[0],
    )
