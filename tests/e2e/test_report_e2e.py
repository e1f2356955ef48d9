"""The per-session report items and the Snakemake HTML report on the real sample run."""

from __future__ import annotations

import struct

import pytest

from conftest import run_snakemake

pytestmark = pytest.mark.e2e


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_session_report_items(sample_run):
    rep = sample_run["results"] / "demo" / "report"
    for name in ("layout.png", "speaking.png", "coverage.png"):
        w, h = _png_size(rep / name)
        assert w >= 400 and h >= 200, (name, w, h)
    html = (rep / "summary.html").read_text()
    # the sample run uses random-initialised I3D weights: the summary must say so, loudly
    assert "RANDOM-INITIALISED" in html and "random-init" in html
    assert "p00" in html and "Layout spans" in html


def test_course_view_and_identity_on_the_sample(sample_run):
    """The sample has no participants.csv and no readable names: identities are <session>/<person>, as before."""
    import pandas as pd
    import pyarrow.parquet as pq

    res = sample_run["results"]
    clips = pq.read_table(res / "demo" / "clips.parquet").to_pandas()
    assert (clips["identity"] == "demo/" + clips["person"]).all()
    inter = pq.read_table(res / "demo" / "features" / "interaction.parquet").to_pandas()
    assert (inter["identity"] == "demo/" + inter["person"]).all()
    course = pd.read_csv(res / "report" / "course.csv")
    assert course["identity"].tolist() == sorted("demo/" + clips["person"].unique())
    assert (course["sessions"] == 1).all() and course["clips"].sum() == len(clips)
    assert course["speaking_s"].sum() == pytest.approx(inter["speech_seconds"].sum(), abs=0.01)
    assert "Course view" in (res / "report" / "course.html").read_text()


def test_snakemake_html_report(sample_run):
    out = sample_run["root"] / "report.html"
    run_snakemake("--cores", "1", "--report", str(out),
                  config={"sessions_dir": sample_run["sessions"], "results_dir": sample_run["results"]},
                  cwd=sample_run["root"])
    text = out.read_text(errors="replace")
    assert len(text) > 100_000  # figures are embedded
    assert "RANDOM-INITIALISED" in text  # workflow description warns about random-init I3D
