"""Snakemake script for rule interaction: calls engage.interaction.interaction_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.interaction import interaction_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches interaction_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        interaction_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        utterances=snakemake.input.utterances,
        layout=snakemake.input.layout,
        chat=snakemake.input.chat[0] if snakemake.input.chat else None,
        participants=snakemake.input.participants[0] if snakemake.input.participants else None,
        out_features=snakemake.output.features,
        out_csv=snakemake.output.csv,
        out_png=snakemake.output.png,
    )
