"""Snakemake script for rule clips: calls engage.clips.cut_clips_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.clips import cut_clips_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches cut_clips_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        cut_clips_session,
        session=snakemake.wildcards.session,
        video=snakemake.input.video,
        media_json=snakemake.input.media,
        audio_wav=snakemake.input.audio,
        layout_json=snakemake.input.layout,
        tracks_parquet=snakemake.input.tracks,
        clips_parquet=snakemake.output.clips,
        clips_dir=snakemake.output.clip_dir,
        cues=snakemake.input.cues,
        participants=snakemake.input.participants[0] if snakemake.input.participants else None,
    )
