"""Snakemake script for rule label_page: calls engage.labels.pages.write_session_page (one session's page)."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.labels.pages import write_session_page
    from engage.runner import run_stage

    # Every params: entry of the rule reaches the stage under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        write_session_page,
        session=snakemake.wildcards.session,
        clips_parquet=snakemake.input.clips,
        out_html=snakemake.output[0],
    )
