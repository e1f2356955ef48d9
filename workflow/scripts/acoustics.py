"""Snakemake script for rule acoustics: calls engage.acoustics.acoustics_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.acoustics import acoustics_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches acoustics_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        acoustics_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        speakers=snakemake.input.speakers,
        clip_speech=snakemake.input.clip_speech,
        audio=snakemake.input.audio,
        output=snakemake.output[0],
    )
