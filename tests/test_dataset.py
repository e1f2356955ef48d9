"""Dataset assembly from contract-format feature files, labels handling and the person-level split."""

import numpy as np
import pyarrow.parquet as pq
import pytest

from engage.errors import SessionError
from engage.io.parquet import read_meta
from engage.model.dataset import build_dataset, load_dataset
from engage.model.chunks import chunk_statistics
from engage.model.split import split_persons
from engage.model.testdata import FACE_COLUMNS, write_session


def make(tmp_path, sessions=("s1", "s2"), **kw):
    res, ses = tmp_path / "results", tmp_path / "sessions"
    levels = {}
    for i, s in enumerate(sessions):
        levels.update(write_session(res, s, seed=i, text_dim=16, with_labels_in=ses / s, **kw))
    args = dict(sessions=list(sessions), session_dirs=[str(res / s) for s in sessions],
                label_files=[str(ses / s / "labels.csv") for s in sessions], output=str(tmp_path / "ds.parquet"),
                name="t", face_patterns=["gaze_*", "pose_*", "AU*_r", "AU*_c"], n_chunks=4, min_frames=50, seed=3,
                test_fraction=0.34, val_fraction=0.0)
    return args, levels, ses


def test_build_dataset_rows_columns_and_metadata(tmp_path):
    args, levels, _ = make(tmp_path)
    build_dataset(**args)
    t = pq.read_table(args["output"])
    meta = read_meta(args["output"])
    assert t.num_rows == len(levels)
    assert t.column("clip_id").to_pylist() == sorted(levels)
    assert dict(zip(t.column("clip_id").to_pylist(), t.column("label").to_pylist())) == levels
    assert meta["face_columns"] == FACE_COLUMNS  # all-null AU columns of the built-in backend dropped
    assert meta["split_seed"] == 3 and set(meta["split_counts"]) == {"train", "val", "test"}
    arr, _ = load_dataset(args["output"])
    assert arr["face"].shape == (len(levels), 3 * len(FACE_COLUMNS), 4)
    assert arr["i3d"].shape == (len(levels), 1024) and arr["text"].shape == (len(levels), 16)
    assert np.all(arr["aud"][~arr["has_speech"]] == 0) and np.any(arr["aud"][arr["has_speech"]] != 0)


def test_person_split_has_no_leakage(tmp_path):
    args, _, _ = make(tmp_path)
    build_dataset(**args)
    t = pq.read_table(args["output"]).to_pandas()
    per_person = t.groupby("identity")["split"].nunique()
    assert (per_person == 1).all()
    assert set(t["split"]) == {"train", "test"}
    # p00 in s1 and p00 in s2 are different persons
    assert t["identity"].nunique() == 6


def test_dataset_is_byte_identical_on_rerun(tmp_path):
    args, _, _ = make(tmp_path)
    build_dataset(**args)
    first = open(args["output"], "rb").read()
    build_dataset(**args)
    assert open(args["output"], "rb").read() == first


def test_split_persons_seeded_and_counts():
    keys = [f"s/p{i}" for i in range(10)]
    a = split_persons(keys, 1, 0.2, 0.1)
    assert a == split_persons(list(reversed(keys)), 1, 0.2, 0.1)
    assert sorted(a.values()).count("test") == 2 and sorted(a.values()).count("val") == 1
    assert a != split_persons(keys, 2, 0.2, 0.1)
    assert set(split_persons(["s/p0"], 0, 0.5).values()) == {"train"}


def test_unknown_clip_in_labels(tmp_path):
    args, _, ses = make(tmp_path, sessions=("s1",))
    with open(ses / "s1" / "labels.csv", "a") as f:
        f.write("s1_9999_p07,EG\n")
    with pytest.raises(SessionError, match="not in clips.parquet"):
        build_dataset(**args)
    build_dataset(**args, unknown_clips="skip")
    assert read_meta(args["output"])["skipped_clips"] == ["s1_9999_p07"]


def test_bad_label_is_one_line_error(tmp_path):
    args, _, ses = make(tmp_path, sessions=("s1",))
    (ses / "s1" / "labels.csv").write_text("clip_id,label\ns1_0000_p00,bored\n")
    with pytest.raises(SessionError, match="not one of HD|DE|EG|HE") as e:
        build_dataset(**args)
    assert "\n" not in str(e.value)


def test_chunk_statistics_shape_and_repeat():
    frames = np.arange(20, dtype=np.float32).reshape(10, 2)
    ps = chunk_statistics(frames, 5, min_frames=40)
    assert ps.shape == (6, 5)
    assert ps[0].min() == 0 and ps[2:4].max() == 19  # min rows then max rows then variance rows
    assert np.all(ps[4:] >= 0)
    assert np.all(chunk_statistics(np.zeros((0, 2)), 3) == 0)  # no frames: zeros
    nan_frames = np.full((4, 2), np.nan)
    assert np.all(chunk_statistics(nan_frames, 2, min_frames=4) == 0)


def test_missing_text_model_is_warned_and_gives_empty_text(tmp_path, caplog):
    import pyarrow as pa

    from engage.contract import TEXT
    from engage.model.features import session_clip_features

    write_session(tmp_path, "s1")
    path = tmp_path / "s1" / "features" / "text.parquet"
    t = pq.read_table(path)
    t = t.set_column(t.schema.get_field_index("embedding"), "embedding", pa.nulls(t.num_rows, pa.list_(pa.float32())))
    TEXT.write(path, t, meta={"model_missing": True, "model": "bert-base-uncased"})
    with caplog.at_level("WARNING"):
        feats = session_clip_features(tmp_path / "s1", "s1", list(FACE_COLUMNS), n_chunks=10, min_frames=250)
    assert feats["text"].shape[1] == 0
    assert "model_missing" in caplog.text


def test_identity_split_puts_each_student_in_one_split_across_sessions(tmp_path):
    """Three students attend six sessions, in a different tile each time: the split is by student."""
    sessions = [f"s{i}" for i in range(6)]
    res, ses = tmp_path / "results", tmp_path / "sessions"
    students = ["ana", "ben", "cy"]
    for i, s in enumerate(sessions):
        ids = {f"p{p:02d}": students[(p + i) % 3] for p in range(3)}
        write_session(res, s, seed=i, n_windows=2, text_dim=16, with_labels_in=ses / s, identities=ids)
    args = dict(sessions=sessions, session_dirs=[str(res / s) for s in sessions],
                label_files=[str(ses / s / "labels.csv") for s in sessions], output=str(tmp_path / "ds.parquet"),
                name="t", face_patterns=["gaze_*", "pose_*"], n_chunks=4, min_frames=50, seed=3,
                test_fraction=0.34, val_fraction=0.0)
    build_dataset(**args)
    t = pq.read_table(args["output"]).to_pandas()
    assert sorted(t["identity"].unique()) == students
    assert (t.groupby("identity")["split"].nunique() == 1).all()  # per tile: 18 keys, a student on both sides
    assert set(t["split"]) == {"train", "test"} and t.groupby("identity")["session"].nunique().eq(6).all()
    meta = read_meta(args["output"])
    assert meta["identities_in_several_sessions"] == {k: sessions for k in students}
    assert sorted(meta["identities"]["train"] + meta["identities"]["test"]) == students


def test_split_persons_assigns_identities_not_rows():
    keys = ["ana", "s1/p01", "ana", "ben", "s2/p00", "ben", "ana"]
    assign = split_persons(keys, seed=0, test_fraction=0.5)
    assert sorted(assign) == ["ana", "ben", "s1/p01", "s2/p00"]
    assert sorted(assign.values()).count("test") == 2
