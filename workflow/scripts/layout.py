"""Snakemake script for rule layout: calls engage.layout.layout_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.layout import layout_session
    from engage.runner import run_stage

    run_stage(
        snakemake,
        layout_session,
        session=snakemake.wildcards.session,
        video=snakemake.input.video,
        media_json=snakemake.input.media,
        out_json=snakemake.output[0],
        override=snakemake.input.override[0] if snakemake.input.override else None,
        sample_s=snakemake.params.sample_s,
        sampling=snakemake.params.sampling,
        keyframe_max_gap_s=snakemake.params.keyframe_max_gap_s,
        max_width=snakemake.params.max_width,
        max_downscale=snakemake.params.max_downscale,
        min_span_samples=snakemake.params.min_span_samples,
        refine_changes=snakemake.params.refine_changes,
        id_max_distance=snakemake.params.id_max_distance,
        id_rejoin_max_distance=snakemake.params.id_rejoin_max_distance,
        names=snakemake.params.names,
        name_samples=snakemake.params.name_samples,
        fit=dict(snakemake.params.fit),
        threads=snakemake.threads,
    )
