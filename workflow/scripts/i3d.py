"""Snakemake script for rule i3d: calls engage.i3d.stage.extract_i3d_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.i3d.stage import extract_i3d_session
    from engage.runner import run_stage

    p = snakemake.params
    run_stage(
        snakemake,
        extract_i3d_session,
        session=snakemake.wildcards.session,
        clips=snakemake.input.clips,
        output=snakemake.output[0],
        model=p.model,
        weights=p.weights,
        sha256=p.sha256 or None,
        window=p.window,
        stride=p.stride,
        max_windows_per_clip=p.max_windows_per_clip,
        batch_size=p.batch_size,
        device=p.device,
        precision=p.precision,
        channels_last=p.channels_last,
        threads=snakemake.threads,
        decode_workers=p.decode_workers,
        seed=p.seed,
    )
