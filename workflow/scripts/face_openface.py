"""Snakemake script for rule face_openface: calls engage.face.openface_run.collect_openface (OpenFace CSVs -> face.parquet)."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.face.openface_run import collect_openface
    from engage.runner import run_stage

    # Every params: entry of the rule reaches collect_openface under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        collect_openface,
        session=snakemake.wildcards.session,
        clips_parquet=snakemake.input.clips,
        tracks_parquet=snakemake.input.tracks,
        layout_json=snakemake.input.layout,
        csv_dir=snakemake.input.csv,
        output=snakemake.output[0],
    )
