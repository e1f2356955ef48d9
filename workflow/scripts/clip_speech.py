"""Snakemake script for rule clip_speech: calls engage.asd.clip_speech.clip_speech_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.asd.clip_speech import clip_speech_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches clip_speech_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        clip_speech_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        scores=snakemake.input.scores,
        speakers=snakemake.input.speakers,
        output=snakemake.output[0],
    )
