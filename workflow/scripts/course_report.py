"""Snakemake script for rule course_report: calls engage.report.course.build_course_report."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.report.course import build_course_report
    from engage.runner import run_stage

    i, o = snakemake.input, snakemake.output
    # Every params: entry of the rule reaches build_course_report under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        build_course_report,
        interaction=list(i.interaction),
        predictions=list(i.predictions),
        out_csv=o.csv,
        out_html=o.html,
    )
