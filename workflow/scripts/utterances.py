"""Snakemake script for rule utterances: calls engage.utterances.join_text_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.utterances import join_text_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches join_text_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        join_text_session,
        session=snakemake.wildcards.session,
        speakers=snakemake.input.speakers,
        transcript=snakemake.input.transcript[0] if snakemake.input.transcript else None,
        output=snakemake.output[0],
    )
