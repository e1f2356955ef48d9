"""Snakemake script for rule predict: calls engage.model.stages.predict_session."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.model.stages import predict_session
    from engage.runner import run_stage

    # Every params: entry of the rule reaches predict_session under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        predict_session,
        session=snakemake.wildcards.session,
        model_path=snakemake.input.model,
        out_parquet=snakemake.output.parquet,
        out_png=snakemake.output.png,
        threads=snakemake.threads,
    )
