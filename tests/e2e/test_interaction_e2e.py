"""Interaction stage on the real workflow run of the sample session (no chat.txt there: chat columns null)."""

from __future__ import annotations

import csv
import math
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

from engage.interaction.features import FEATURE_COLUMNS
from engage.io.parquet import read_meta

pytestmark = pytest.mark.e2e

UPSTREAM = ("clips.parquet", "utterances.parquet", "layout.json")


@pytest.fixture(scope="module")
def run(sample_run):
    """The shared sample run; the interaction stage's inputs are all produced by it."""
    out = sample_run["results"] / "demo"
    assert all((out / f).exists() for f in UPSTREAM), [f for f in UPSTREAM if not (out / f).exists()]
    return sample_run


def test_interaction_rows_match_clips_and_speech(run):
    out = run["results"] / "demo"
    clips = pq.read_table(out / "clips.parquet").to_pylist()
    feats = pq.read_table(out / "features" / "interaction.parquet")
    rows = feats.to_pylist()
    assert sorted(r["clip_id"] for r in rows) == sorted(c["clip_id"] for c in clips)
    assert [r["clip_id"] for r in rows] == sorted(r["clip_id"] for r in rows)  # sorted, deterministic
    assert set(FEATURE_COLUMNS) <= set(feats.column_names)
    utts = pq.read_table(out / "utterances.parquet").to_pylist()
    talk = defaultdict(float)
    for u in utts:
        if u["speaker"]:
            talk[u["speaker"]] += u["end"] - u["start"]
    per_person = defaultdict(float)
    for r in rows:
        assert 0.0 <= r["speech_seconds"] <= r["end"] - r["start"] + 1e-6
        assert r["words"] >= 0 and r["turns"] >= 0 and r["replies"] == r["replies_spoken"]
        assert r["chat_messages"] is None and r["sentiment_chat"] is None  # the demo has no chat.txt
        if r["sentiment_speech"] is not None:
            assert -1.0 <= r["sentiment_speech"] <= 1.0
        per_person[r["person"]] += r["speech_seconds"]
    for person, secs in per_person.items():
        assert secs <= talk.get(person, 0.0) + 1e-6
    assert talk, "the sample's cues are attributed to its two speakers"
    assert sum(r["turns"] for r in rows) >= 1 and sum(per_person.values()) > 0
    meta = read_meta(out / "features" / "interaction.parquet")
    assert meta["stage"] == "interaction" and meta["chat_file"] is False
    assert meta["sentiment_model"].startswith("vaderSentiment==")


def test_participation_outputs(run):
    out = run["results"] / "demo"
    with open(out / "participation.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    persons = {c["person"] for c in pq.read_table(out / "clips.parquet").to_pylist()}
    assert persons <= {r["person"] for r in rows}
    shares = [float(r["talk_share"]) for r in rows]
    assert math.isclose(sum(shares), 1.0, abs_tol=1e-3)  # the sample has attributed speech
    assert (out / "participation.png").read_bytes()[:4] == b"\x89PNG"
    assert (run["results"] / "logs" / "interaction" / "demo.log").exists()
