"""Snakemake script for rule text: calls engage.text.text_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.text import text_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches text_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        text_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        utterances=snakemake.input.utterances,
        clip_speech=snakemake.input.clip_speech,
        output=snakemake.output[0],
        threads=snakemake.threads,
    )
