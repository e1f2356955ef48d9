"""Snakemake script for rule session_report: calls engage.report.build_session_report."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.report import build_session_report
    from engage.runner import run_stage

    i, o = snakemake.input, snakemake.output
    # Every params: entry of the rule reaches build_session_report under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        build_session_report,
        session=snakemake.wildcards.session,
        video=i.video,
        media_json=i.media,
        layout_json=i.layout,
        asd_parquet=i.asd,
        cues_parquet=i.cues,
        utterances_parquet=i.utterances,
        clips_parquet=i.clips,
        face_parquet=i.face,
        clip_speech_parquet=i.clip_speech,
        feature_files={"i3d": i.i3d, "text": i.text, "face": i.face, "asd": i.asd},
        out_layout_png=o.layout,
        out_speaking_png=o.speaking,
        out_coverage_png=o.coverage,
        out_summary_html=o.summary,
    )
