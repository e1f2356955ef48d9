"""Snakemake script for rule asd: calls engage.asd.run_asd_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.asd import run_asd_session
    from engage.runner import run_stage

    p = snakemake.params
    run_stage(
        snakemake,
        run_asd_session,
        session=snakemake.wildcards.session,
        tracks=snakemake.input.tracks,
        video=snakemake.input.video,
        audio=snakemake.input.audio,
        media_json=snakemake.input.media,
        transcript=snakemake.input.transcript[0] if snakemake.input.transcript else None,
        out_scores=snakemake.output.scores,
        out_utterances=snakemake.output.utterances,
        model=p.model,
        weights=p.weights,
        sha256=p.sha256 or None,
        device=p.device,
        threshold=p.threshold,
        exclusive_margin=p.exclusive_margin,
        vad=p.vad,
        crop_scale=p.crop_scale,
        durations=p.durations,
        shared_encoders=p.shared_encoders,
        smooth_frames=p.smooth_frames,
        min_segment_frames=p.min_segment_frames,
        attribution_margin=p.attribution_margin,
        attribution_min_coverage=p.attribution_min_coverage,
        batch_frames=p.batch_frames,
        max_piece_seconds=p.max_piece_seconds,
        threads=snakemake.threads,
    )
