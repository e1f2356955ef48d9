"""End-to-end: the sample workflow run (real layout + tracks stages) gives asd.parquet,
utterances.parquet and clip_speech.parquet that agree with the demo gallery's ground truth."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from conftest import DATA
from engage.asd import evaluate as ev
from engage.io.parquet import read_meta

pytestmark = pytest.mark.e2e


def _rects(tracks):
    rows = tracks.group_by("person").aggregate([(c, "min") for c in ("tile_x", "tile_y", "tile_w", "tile_h")]).to_pylist()
    return {r["person"]: (r["tile_x_min"], r["tile_y_min"], r["tile_w_min"], r["tile_h_min"]) for r in rows}


def test_asd_outputs_match_truth_on_real_tracks(sample_run):
    res = sample_run["results"] / "demo"
    scores_path, utt_path = res / "features" / "asd.parquet", res / "utterances.parquet"
    assert scores_path.exists(), sample_run["proc"].stderr[-3000:]
    truth = json.loads((DATA / "demo_truth.json").read_text())
    tracks = pq.read_table(res / "tracks.parquet")
    scores = pq.read_table(scores_path)
    assert len(scores) == len(tracks)
    persons = ev.match_persons_to_tiles(_rects(tracks), truth)
    m = ev.frame_metrics(scores, persons, truth)
    assert m["accuracy"] >= 0.90 and m["average_precision"] >= 0.90, m
    a = ev.attribution_metrics(pq.read_table(utt_path), persons, truth)
    assert a["correct"] == a["cues"] == 4, a["detail"]
    meta = read_meta(scores_path)
    assert meta["weights_sha256"] == "efc375833887eefa9d209dc92810e18519b04c3c73ea35a549f2a7f40b7d94d5"
    assert (sample_run["results"] / "logs" / "asd" / "demo.log").exists()


def test_clip_speech_from_sample_run(sample_run):
    res = sample_run["results"] / "demo"
    path = res / "features" / "clip_speech.parquet"
    assert path.exists(), sample_run["proc"].stderr[-3000:]
    cs = pq.read_table(path).to_pandas()
    clips = pq.read_table(res / "clips.parquet").to_pandas()
    assert sorted(cs.clip_id) == sorted(clips.clip_id)
    assert ((cs.speech_seconds >= 0) & (cs.speech_seconds <= (clips.end - clips.start).max() + 0.04)).all()
    utt = pq.read_table(res / "utterances.parquet").to_pandas()
    attributed = {int(u) for lst in cs.utterances for u in lst}
    assert attributed == set(utt.utterance[utt.speaker.notna()].astype(int))
    assert cs.has_speech.any() and not cs.has_speech.all()
