"""i3d stage on the real workflow run of the sample session (CPU, random-init weights from config.yaml)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engage.io.parquet import read_meta

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def run(sample_run):
    """The shared sample run (the clips stage is upstream of i3d there)."""
    assert (sample_run["results"] / "demo" / "clips.parquet").exists()
    return sample_run


def test_i3d_embeddings_for_every_clip(run):
    out = run["results"] / "demo"
    clips = pq.read_table(out / "clips.parquet")
    feats = pq.read_table(out / "features" / "i3d.parquet")
    ids = feats.column("clip_id").to_pylist()
    assert ids == sorted(clips.column("clip_id").to_pylist())
    assert feats.schema.field("embedding").type == pa.list_(pa.float32(), 1024)
    emb = feats.column("embedding").combine_chunks().values.to_numpy().reshape(len(ids), 1024)
    assert np.isfinite(emb).all()
    assert all(n >= 1 for n in feats.column("n_windows").to_pylist())
    # config.yaml runs the sample offline: random-init must be visible in data, metadata and log
    assert set(feats.column("weights_sha256").to_pylist()) <= {"random-init"}
    meta = read_meta(out / "features" / "i3d.parquet")
    assert meta["weights"] == "random-init" and meta["model"] == "inception_i3d"
    log = (run["results"] / "logs" / "i3d" / "demo.log").read_text()
    assert "RANDOM-INITIALISED" in log
