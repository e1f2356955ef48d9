"""Snakemake script for rule face_builtin: calls engage.face.stage.face_session_builtin."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.face.stage import face_session_builtin
    from engage.runner import run_stage

    # Every params: entry of the rule reaches face_session_builtin under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        face_session_builtin,
        session=snakemake.wildcards.session,
        clips_parquet=snakemake.input.clips,
        tracks_parquet=snakemake.input.tracks,
        layout_json=snakemake.input.layout,
        output=snakemake.output[0],
        threads=snakemake.threads,
    )
