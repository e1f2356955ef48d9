"""Snakemake script for rule face_openface_list: the -f argument file for FeatureExtraction."""

from engage.face.openface_run import write_argument_file
from engage.runner import run_stage

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    run_stage(
        snakemake,
        write_argument_file,
        session=snakemake.wildcards.session,
        clips_parquet=snakemake.input.clips,
        out=snakemake.output.args,
    )
