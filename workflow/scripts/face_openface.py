"""Snakemake script for rule face_openface: OpenFace CSVs -> face.parquet (engage.face.openface_run)."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.face.openface_run import FEATURE_FLAGS, collect_openface
    from engage.runner import run_stage

    run_stage(
        snakemake,
        collect_openface,
        session=snakemake.wildcards.session,
        clips_parquet=snakemake.input.clips,
        csv_dir=snakemake.input.csv,
        output=snakemake.output[0],
        meta={
            "backend": "openface",
            "model": "OpenFace 2.2 FeatureExtraction",
            "backend_version": snakemake.params.container,
            "weights_sha256": "inside-container-image",
            "params": {
                "binary": snakemake.params.binary,
                "flags": FEATURE_FLAGS,
                "batch_size": snakemake.params.batch_size,
            },
            "session": snakemake.wildcards.session,
        },
    )
