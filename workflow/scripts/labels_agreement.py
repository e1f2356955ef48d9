"""Snakemake script for rule labels_agreement: calls engage.labels.report.write_agreement."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.labels.report import write_agreement
    from engage.runner import run_stage

    # Every params: entry of the rule reaches the stage under its own name (engage.runner.run_stage).
    o = snakemake.output
    run_stage(
        snakemake,
        write_agreement,
        ratings_files=list(snakemake.input.ratings),
        merged_files=list(snakemake.input.merged),
        out_json=o.json,
        out_html=o.html,
        out_png=o.png,
    )
