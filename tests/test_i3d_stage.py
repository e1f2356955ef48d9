"""i3d stage on real tiny clips (CPU, 9-frame windows): schema, determinism, weights recording, errors."""

from __future__ import annotations

import logging

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from contract_fixtures import clip, write_clips
from engage.errors import ConfigError, SessionError
from engage.i3d.checkpoint import random_init
from engage.i3d.inception_i3d import InceptionI3d
from engage.i3d.stage import extract_i3d_session
from engage.io.hashing import sha256_file
from engage.io.parquet import read_meta
from i3d_helpers import make_session

# Smallest valid window keeps CPU cost low (one forward of 2 windows per run); the default is 64.
FAST = dict(window=9, stride=9, batch_size=2, threads=1, device="cpu")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The stage twice with random init (same params) and once with a checkpoint of the same weights."""
    root = tmp_path_factory.mktemp("i3d_stage")
    clips = make_session(root, "s1")
    out_a, out_b, out_c = (root / "s1" / "features" / f"i3d_{x}.parquet" for x in "abc")
    extract_i3d_session(session="s1", clips=clips, output=out_a, **FAST)
    extract_i3d_session(session="s1", clips=clips, output=out_b, **FAST)
    model = InceptionI3d()
    random_init(model, seed=0)  # the weights `weights: random, seed: 0` gives
    ckpt = root / "rgb_own.pt"
    torch.save({k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}, ckpt)
    extract_i3d_session(session="s1", clips=clips, output=out_c, weights=str(ckpt), sha256=sha256_file(ckpt), **FAST)
    return dict(clips=clips, a=out_a, b=out_b, c=out_c, ckpt=ckpt)


def _embeddings(path) -> np.ndarray:
    col = pq.read_table(path).column("embedding").combine_chunks()
    return col.values.to_numpy().reshape(len(col), -1)


def test_output_schema_and_rows(runs):
    t = pq.read_table(runs["a"])
    assert t.schema.field("embedding").type == pa.list_(pa.float32(), 1024)
    assert t.schema.field("n_windows").type == pa.int32()
    assert t.column("clip_id").to_pylist() == ["s1_0000_p00", "s1_0000_p01"]  # sorted
    assert t.column("n_windows").to_pylist() == [1, 1]  # 12 frames: tail dropped; 5 frames: looped
    assert set(t.column("model").to_pylist()) == {"inception_i3d"}
    e = _embeddings(runs["a"])
    assert e.dtype == np.float32 and e.shape == (2, 1024)
    assert np.isfinite(e).all() and e.std() > 1e-3
    assert not np.allclose(e[0], e[1])  # different clips, different features


def test_random_init_recorded_loudly(runs):
    t = pq.read_table(runs["a"])
    assert set(t.column("weights_sha256").to_pylist()) == {"random-init"}
    meta = read_meta(runs["a"])
    assert meta["stage"] == "i3d" and meta["weights"] == "random-init" and meta["weights_sha256"] == "random-init"
    assert meta["params"]["window"] == 9 and meta["params"]["seed"] == 0 and meta["embed_dim"] == 1024


def test_rerun_is_byte_identical(runs):
    assert runs["a"].read_bytes() == runs["b"].read_bytes()


def test_checkpoint_run_records_sha_and_gives_same_features(runs):
    t = pq.read_table(runs["c"])
    assert set(t.column("weights_sha256").to_pylist()) == {sha256_file(runs["ckpt"])}
    assert read_meta(runs["c"])["weights"] == "rgb_own.pt"
    np.testing.assert_array_equal(_embeddings(runs["c"]), _embeddings(runs["a"]))


def test_random_weights_warn(tmp_path, caplog):
    empty = tmp_path / "s2" / "clips.parquet"
    empty.parent.mkdir()
    write_clips(empty, [])
    with caplog.at_level(logging.WARNING):
        extract_i3d_session(session="s2", clips=empty, output=tmp_path / "out.parquet", **FAST)
    assert any(r.levelno == logging.WARNING and "RANDOM-INITIALISED" in r.message for r in caplog.records)
    t = pq.read_table(tmp_path / "out.parquet")  # no clips: empty table with the full schema
    assert t.num_rows == 0 and t.schema.field("embedding").type == pa.list_(pa.float32(), 1024)


def test_missing_weights_says_which_file_where(tmp_path, runs):
    where = tmp_path / "models" / "i3d" / "rgb_imagenet.pt"
    with pytest.raises(ConfigError) as err:
        extract_i3d_session(session="s1", clips=runs["clips"], output=tmp_path / "o.parquet", weights=str(where), **FAST)
    msg = str(err.value)
    assert str(where) in msg and "i3d.weights" in msg and "rgb_imagenet.pt" in msg and "73a4fd1d" in msg


def test_sha256_mismatch_fails(tmp_path, runs):
    with pytest.raises(ConfigError, match="expected 00"):
        extract_i3d_session(session="s1", clips=runs["clips"], output=tmp_path / "o.parquet",
                            weights=str(runs["ckpt"]), sha256="00" * 32, **FAST)


def test_window_too_short_for_model(tmp_path, runs):
    with pytest.raises(ConfigError, match="needs >= 9"):
        extract_i3d_session(session="s1", clips=runs["clips"], output=tmp_path / "o.parquet", **dict(FAST, window=8))


def test_missing_clip_video_is_session_error(tmp_path):
    clips = tmp_path / "s3" / "clips.parquet"
    clips.parent.mkdir()
    write_clips(clips, [clip("s3", 0, "p00", 0.0, 1.0)])
    with pytest.raises(SessionError, match="session 's3'.*s3_0000_p00.mp4.*missing"):
        extract_i3d_session(session="s3", clips=clips, output=tmp_path / "o.parquet", **FAST)


def test_clips_table_without_path_column(tmp_path):
    clips = tmp_path / "clips.parquet"
    pq.write_table(pa.table({"clip_id": ["x"]}), clips)
    with pytest.raises(SessionError, match="lacks column"):
        extract_i3d_session(session="s4", clips=clips, output=tmp_path / "o.parquet", **FAST)
