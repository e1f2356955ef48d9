"""End-to-end: the sample workflow run (built-in backend, no network) produces face.parquet for every clip."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from engage.contract import FACE
from engage.io.parquet import read_meta

pytestmark = pytest.mark.e2e


def test_face_parquet_from_sample_run(sample_run):
    res = sample_run["results"] / "demo"
    face = res / "features" / "face.parquet"
    assert face.exists(), sample_run["proc"].stderr[-2000:]
    t = pq.read_table(face)
    assert t.schema.equals(FACE.schema(), check_metadata=False)
    df = t.to_pandas()
    clips = pq.read_table(res / "clips.parquet").to_pandas()
    assert set(df["clip_id"]) == set(clips["clip_id"])
    assert set(df["backend"]) == {"builtin"}
    per_clip = df.groupby("clip_id").size()
    n_frames = clips.set_index("clip_id")["n_frames"]
    assert ((per_clip - n_frames.loc[per_clip.index]).abs() <= 1).all()
    assert df["success"].mean() > 0.5  # the demo tiles show faces most of the time
    assert read_meta(face)["backend"] == "builtin"
    assert (sample_run["results"] / "logs" / "face" / "demo.log").exists()
