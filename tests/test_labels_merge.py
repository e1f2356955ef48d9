"""One label per clip from several raters (median, ties, min_raters, adjudication, labels.csv) and the stage."""

from __future__ import annotations

import pytest

from contract_fixtures import clip, write_clips
from engage.contract import MERGED_LABELS
from engage.errors import SessionError
from engage.io.parquet import read_meta
from engage.labels.merge import disagreements, median_level, merge_labels, merge_session_labels, read_merged_labels, read_ratings

ORDER = ["c1", "c2", "c3", "c4", "c5"]


def test_median_and_ties():
    assert median_level([0, 3, 2], "lower") == 2
    assert median_level([2, 2, 3, 3], "higher") == 3
    assert median_level([2, 2, 3, 3], "lower") == 2
    assert median_level([2, 2, 3, 3], "drop") is None
    assert median_level([1, 2, 2, 3], "drop") == 2  # middle values equal: no tie
    assert median_level([], "lower") is None
    with pytest.raises(ValueError):
        median_level([1, 2], "middle")


def test_merge_rules():
    ratings = {"anna": {"c1": "EG", "c2": "HE", "c3": "DE", "c4": "skip", "c5": "HD"},
               "ben": {"c1": "EG", "c2": "EG", "c3": "HD", "c4": "EG"},
               "carl": {"c1": "HE", "c3": "HD"}}
    rows, dropped = merge_labels(ratings, order=ORDER, tie="lower", min_raters=1)
    got = {r["clip_id"]: (r["label"], r["source"], r["n_raters"], r["agreed"]) for r in rows}
    assert got == {"c1": ("EG", "median", 3, False), "c2": ("EG", "median", 2, False), "c3": ("HD", "median", 3, False),
                   "c4": ("EG", "median", 1, None), "c5": ("HD", "median", 1, None)}
    rows, dropped = merge_labels(ratings, order=ORDER, tie="drop", min_raters=2)
    assert [r["clip_id"] for r in rows] == ["c1", "c3"]
    assert dropped["tie"] == ["c2"] and dropped["too_few_raters"] == ["c4", "c5"]
    rows, _ = merge_labels(ratings, order=ORDER, tie="higher", min_raters=3, adjudicated={"c2": "HE", "c4": "skip"})
    assert {r["clip_id"]: (r["label"], r["source"]) for r in rows} == {"c1": ("EG", "median"), "c2": ("HE", "adjudicated"),
                                                                     "c3": ("HD", "median")}
    rows, dropped = merge_labels(ratings, order=ORDER, override={"c5": "HE", "c1": "DE"})
    assert [(r["clip_id"], r["label"], r["source"], r["n_raters"]) for r in rows] == [("c1", "DE", "labels.csv", 3),
                                                                                       ("c5", "HE", "labels.csv", 1)]
    assert dropped["not_in_labels_csv"] == ["c2", "c3", "c4"]
    assert disagreements(ratings, ORDER) == ["c1", "c2", "c3"]


def _session(tmp_path, n=4):
    clips = [f"s_{i // 2:04d}_p{i % 2:02d}" for i in range(n)]
    write_clips(tmp_path / "res" / "s" / "clips.parquet",
                [clip("s", i // 2, f"p{i % 2:02d}", 10.0 * (i // 2), 10.0 * (i // 2) + 10) for i in range(n)])
    labels = tmp_path / "ses" / "s" / "labels"
    labels.mkdir(parents=True)
    return clips, labels


def _run(tmp_path, raters, **kw):
    args = dict(session="s", clips_parquet=tmp_path / "res" / "s" / "clips.parquet", override=None, rater_files=raters,
                adjudicated=None, out_merged=tmp_path / "out" / "merged.parquet", out_ratings=tmp_path / "out" / "ratings.parquet")
    args.update(kw)
    merge_session_labels(**args)
    return args


def test_stage_writes_merged_and_ratings(tmp_path):
    clips, d = _session(tmp_path)
    (d / "anna.csv").write_text(f"clip_id,label\n{clips[0]},EG\n{clips[1]},HE\n{clips[2]},skip\n")
    (d / "ben.csv").write_text(f"clip_id,label\n{clips[0]},EG\n{clips[1]},DE\n{clips[2]},HD\n")
    (d / "adjudicated.csv").write_text(f"clip_id,label\n{clips[1]},EG\n")
    a = _run(tmp_path, [str(d / "ben.csv"), str(d / "anna.csv")], adjudicated=str(d / "adjudicated.csv"))
    m = MERGED_LABELS.read(a["out_merged"], session="s").to_pylist()
    assert m == [{"clip_id": clips[0], "label": "EG", "label_index": 2, "source": "median", "n_raters": 2, "agreed": True},
                 {"clip_id": clips[1], "label": "EG", "label_index": 2, "source": "adjudicated", "n_raters": 2, "agreed": False},
                 {"clip_id": clips[2], "label": "HD", "label_index": 0, "source": "median", "n_raters": 1, "agreed": None}]
    assert read_merged_labels(a["out_merged"], "s") == {clips[0]: "EG", clips[1]: "EG", clips[2]: "HD"}
    assert read_ratings(a["out_ratings"], "s") == {"anna": {clips[0]: "EG", clips[1]: "HE"},
                                                   "ben": {clips[0]: "EG", clips[1]: "DE", clips[2]: "HD"},
                                                   "adjudicated": {clips[1]: "EG"}}
    meta = read_meta(a["out_merged"])
    assert meta["sources"] == {"adjudicated": 1, "median": 2} and meta["raters"] == ["anna", "ben"]
    before = a["out_merged"].read_bytes()
    _run(tmp_path, [str(d / "anna.csv"), str(d / "ben.csv")], adjudicated=str(d / "adjudicated.csv"))
    assert a["out_merged"].read_bytes() == before  # byte-identical rerun


def test_stage_bad_file_is_one_line_and_writes_nothing(tmp_path):
    clips, d = _session(tmp_path)
    (d / "anna.csv").write_text(f"clip_id,label\n{clips[0]},EG\n")
    (d / "ben.csv").write_text(f"clip_id,label\n{clips[0]},EG\n\n{clips[0]}_x,HE\n")
    with pytest.raises(SessionError) as e:
        _run(tmp_path, [str(d / "anna.csv"), str(d / "ben.csv")])
    assert str(e.value) == (f"session 's' ({d / 'ben.csv'}): rater file: line 4: clip {clips[0]}_x is not a clip of session s "
                            "(clips.parquet); set dataset.unknown_clips: skip to ignore such rows")
    assert not (tmp_path / "out").exists()
    a = _run(tmp_path, [str(d / "anna.csv"), str(d / "ben.csv")], unknown_clips="skip")
    assert read_meta(a["out_merged"])["unknown_clips"] == {str(d / "ben.csv"): [f"{clips[0]}_x"]}


def test_stage_labels_csv_override_and_nothing_left(tmp_path):
    clips, d = _session(tmp_path)
    (d / "anna.csv").write_text(f"clip_id,label\n{clips[0]},EG\n{clips[1]},HE\n")
    (d.parent / "labels.csv").write_text(f"clip_id,label\n{clips[3]},HD\n")
    a = _run(tmp_path, [str(d / "anna.csv")], override=str(d.parent / "labels.csv"))
    assert read_merged_labels(a["out_merged"], "s") == {clips[3]: "HD"}
    (d / "ben.csv").write_text(f"clip_id,label\n{clips[0]},HE\n")
    with pytest.raises(SessionError, match="no clip has a label after merging .*tie 1"):
        _run(tmp_path, [str(d / "anna.csv"), str(d / "ben.csv")], tie="drop", min_raters=2)
