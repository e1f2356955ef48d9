"""Snakemake script for rule text: calls engage.text.text_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.runner import run_stage
    from engage.text import text_session

    p = snakemake.params
    run_stage(
        snakemake,
        text_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        utterances=snakemake.input.utterances,
        clip_speech=snakemake.input.clip_speech,
        output=snakemake.output[0],
        model=p.model,
        pooling=p.pooling,
        batch_size=p.batch_size,
        max_length=p.max_length,
        device=p.device,
        allow_download=p.allow_download,
        on_missing_model=p.on_missing_model,
        threads=snakemake.threads,
    )
