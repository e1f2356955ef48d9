"""acoustics and text on the real workflow run of the sample session: speech rows only for the real speaker.

Truth (tests/data/demo_truth.json): tile r0c0 speaks 0-8 s, tile r1c0 speaks 8-16 s, the other two
tiles never speak. Persons are matched to truth tiles through the run's layout.json.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from conftest import DATA
from engage.io.parquet import read_meta

pytestmark = pytest.mark.e2e

UPSTREAM = ("clips.parquet", "utterances.parquet", "features/clip_speech.parquet", "layout.json")


@pytest.fixture(scope="module")
def out(sample_run):
    d = sample_run["results"] / "demo"
    assert all((d / f).exists() for f in UPSTREAM), [f for f in UPSTREAM if not (d / f).exists()]
    return d


def person_tiles(out) -> dict[str, str]:
    """person id -> truth tile name, by the centre of the person's first detected tile."""
    truth = json.loads((DATA / "demo_truth.json").read_text())
    layout = json.loads((out / "layout.json").read_text())
    mapping = {}
    for span in layout["spans"]:
        for t in span["tiles"]:
            cx, cy = t["x"] + t["w"] / 2, t["y"] + t["h"] / 2
            for tt in truth["tiles"]:
                if tt["x"] <= cx < tt["x"] + tt["w"] and tt["y"] <= cy < tt["y"] + tt["h"]:
                    mapping.setdefault(t["id"], tt["tile"])
    return mapping


def speaks(tile: str, start: float, end: float) -> bool:
    truth = json.loads((DATA / "demo_truth.json").read_text())
    return any(s["tile"] == tile and min(end, s["end"]) > max(start, s["start"]) for s in truth["speech"])


@pytest.mark.parametrize("name", ["acoustics", "text"])
def test_speech_rows_only_for_the_real_speaker(out, name):
    path = out / "features" / f"{name}.parquet"
    assert path.exists(), f"{name}.parquet missing although its inputs exist"
    rows = pq.read_table(path).to_pylist()
    clips = pq.read_table(out / "clips.parquet").to_pylist()
    assert sorted((r["clip_id"], r["person"]) for r in rows) == sorted((c["clip_id"], c["person"]) for c in clips)
    tiles = person_tiles(out)
    speaking = [r for r in rows if r["has_speech"]]
    assert speaking, "no clip has attributed speech in the sample run"
    for r in speaking:
        tile = tiles.get(r["person"])
        assert tile in ("r0c0", "r1c0"), f"{r['clip_id']}: speech attributed to non-speaking tile {tile}"
        assert speaks(tile, r["start"], r["end"]), f"{r['clip_id']}: {tile} does not speak in {r['start']}-{r['end']}"
    assert read_meta(path)["stage"] == name


def test_acoustics_values_plausible(out):
    rows = pq.read_table(out / "features" / "acoustics.parquet").to_pylist()
    silent = [r for r in rows if not r["has_speech"]]
    voiced = [r for r in rows if r["has_speech"] and r["n_voiced"]]
    assert silent and voiced, "the sample has clips with and without voiced speech"
    for r in silent:
        assert r["L"] == 0.0 and r["Hv"] is None and r["pitch_hz"] is None
    for r in voiced:
        assert 0 < r["L"] <= r["end"] - r["start"] + 1e-6
        assert 80 < r["pitch_mean_hz"] < 350 and 30 < r["intensity_mean_db"] < 95


def test_text_rows_and_model_provenance(out):
    path = out / "features" / "text.parquet"
    rows = pq.read_table(path).to_pylist()
    meta = read_meta(path)
    speaking = [r for r in rows if r["has_speech"]]
    silent = [r for r in rows if not r["has_speech"]]
    assert speaking and silent
    assert all(r["utterances"] and r["text"] for r in speaking)
    assert all(r["text"] is None and r["embedding"] is None for r in silent)
    # Offline without bert-base-uncased: loud nulls (model_missing), never fake vectors; with the model
    # cached, every text is embedded. Either way the metadata says which.
    embedded = [r["embedding"] is not None for r in speaking]
    assert embedded == [not meta["model_missing"]] * len(speaking)
    assert (meta["embedding_dim"] is None) == meta["model_missing"]
