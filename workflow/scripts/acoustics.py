"""Snakemake script for rule acoustics: calls engage.acoustics.acoustics_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.acoustics import acoustics_session
    from engage.runner import run_stage

    p = snakemake.params
    run_stage(
        snakemake,
        acoustics_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        utterances=snakemake.input.utterances,
        clip_speech=snakemake.input.clip_speech,
        audio=snakemake.input.audio,
        output=snakemake.output[0],
        pitch_floor=p.pitch_floor,
        pitch_ceiling=p.pitch_ceiling,
        floor_factor=p.floor_factor,
        ceiling_factor=p.ceiling_factor,
        time_step=p.time_step,
        voice_quality=p.voice_quality,
    )
