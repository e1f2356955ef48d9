"""Snakemake script for rules label_page (one session's labelling page) and label_pages (the index)."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.labels.pages import write_index, write_session_page
    from engage.runner import run_stage

    if snakemake.rule == "label_page":
        run_stage(
            snakemake,
            write_session_page,
            session=snakemake.wildcards.session,
            clips_parquet=snakemake.input.clips,
            out_html=snakemake.output[0],
            guide=snakemake.params.guide,
        )
    else:
        run_stage(
            snakemake,
            write_index,
            sessions=list(snakemake.params.sessions),
            clips_parquets=list(snakemake.input.clips),
            out_html=snakemake.output[0],
        )
