"""Snakemake script for rule labels_merge: calls engage.labels.merge.merge_session_labels."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.labels.merge import merge_session_labels
    from engage.runner import run_stage

    # Every params: entry of the rule reaches the stage under its own name (engage.runner.run_stage).
    i = snakemake.input
    run_stage(
        snakemake,
        merge_session_labels,
        session=snakemake.wildcards.session,
        clips_parquet=i.clips,
        override=i.override[0] if i.override else None,
        rater_files=list(i.raters),
        adjudicated=i.adjudicated[0] if i.adjudicated else None,
        out_merged=snakemake.output.merged,
        out_ratings=snakemake.output.ratings,
    )
