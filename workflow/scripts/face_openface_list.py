"""Snakemake script for rule face_openface_list: calls engage.face.openface_run.write_argument_file (the -f argument file)."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.face.openface_run import write_argument_file
    from engage.runner import run_stage

    # Every params: entry of the rule reaches write_argument_file under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        write_argument_file,
        session=snakemake.wildcards.session,
        clips_parquet=snakemake.input.clips,
        out=snakemake.output.args,
    )
