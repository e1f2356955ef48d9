"""Snakemake script for rule course_engagement: calls engage.report.course.build_course_figure."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.report.course import build_course_figure
    from engage.runner import run_stage

    # Every params: entry of the rule reaches build_course_figure under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        build_course_figure,
        predictions=list(snakemake.input.predictions),
        out_png=snakemake.output.png,
    )
