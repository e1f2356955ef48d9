"""Snakemake script for rule interaction: calls engage.interaction.interaction_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.interaction import interaction_session
    from engage.runner import run_stage

    def optional(name):
        """The single path of an optional named input, or None when the session has no such file."""
        files = list(snakemake.input.get(name, []) or [])
        return files[0] if files else None


    run_stage(
        snakemake,
        interaction_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        utterances=snakemake.input.utterances,
        layout=snakemake.input.layout,
        chat=optional("chat"),
        participants=optional("participants"),
        out_features=snakemake.output.features,
        out_csv=snakemake.output.csv,
        out_png=snakemake.output.png,
        chat_offset_s=snakemake.params.chat_offset_s,
        history_s=snakemake.params.history_s,
        reply_window_s=snakemake.params.reply_window_s,
        strict_chat=snakemake.params.strict_chat,
        unattributed_is_other=snakemake.params.unattributed_is_other,
    )
