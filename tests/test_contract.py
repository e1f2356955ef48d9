"""The data contract: docs generated from it, writers that refuse undeclared schemas, readers that give
one-line SessionErrors, and the layout tile rules (name / name_confidence)."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import REPO
from engage import contract
from engage.contract.render import render
from engage.errors import SessionError
from engage.io.parquet import read_meta


def test_docs_data_contract_md_is_generated_from_the_contract():
    assert (REPO / "docs" / "data-contract.md").read_text() == render(), \
        "run: python -m engage.contract > docs/data-contract.md"


def test_every_table_is_documented_with_every_column():
    doc = render()
    for spec in contract.TABLES:
        assert f"## `{spec.path}` ({spec.stage})" in doc
        for c in spec.columns:
            if c.group is None:
                assert f"| `{c.name}` |" in doc, (spec.name, c.name)


def test_writer_sorts_records_stage_and_refuses_an_undeclared_schema(tmp_path):
    rows = [dict(clip_id=c, person="p00", speech_seconds=1.0, has_speech=True, utterances=[1]) for c in ("b", "a")]
    table = contract.CLIP_SPEECH.from_rows(rows)
    contract.CLIP_SPEECH.write(tmp_path / "cs.parquet", table, meta={"x": 1})
    assert pq.read_table(tmp_path / "cs.parquet").column("clip_id").to_pylist() == ["a", "b"]
    assert read_meta(tmp_path / "cs.parquet")["stage"] == "clip_speech"
    with pytest.raises(contract.ContractError, match="missing"):
        contract.CLIP_SPEECH.write(tmp_path / "x.parquet", table.drop(["utterances"]))
    with pytest.raises(contract.ContractError, match="types"):
        contract.CLIP_SPEECH.write(tmp_path / "x.parquet", table.set_column(2, "speech_seconds", pa.array([1, 2])))
    with pytest.raises(contract.ContractError, match="undeclared"):
        contract.CLIP_SPEECH.write(tmp_path / "x.parquet", table.append_column("extra", pa.array([1, 2])))


def test_sized_columns_and_optional_columns():
    assert contract.I3D.schema(dim=1024).field("embedding").type == pa.list_(pa.float32(), 1024)
    assert contract.TEXT.schema(dim=None).field("embedding").type == pa.list_(pa.float32())
    assert "interaction" not in contract.DATASET.schema().names
    assert contract.DATASET.schema(include=["interaction"]).names[-1] == "interaction"


def test_readers_give_one_line_session_errors(tmp_path):
    missing = tmp_path / "clips.parquet"
    with pytest.raises(SessionError, match="session 's1'.*clips table not found"):
        contract.read_clips(missing, session="s1")
    missing.write_bytes(b"PAR1 not really")
    with pytest.raises(SessionError, match="cannot read clips table") as e:
        contract.read_clips(missing, session="s1")
    assert "\n" not in str(e.value)
    pq.write_table(pa.table({"clip_id": ["x"]}), missing)
    with pytest.raises(SessionError, match="clips table lacks column\\(s\\) session, person"):
        contract.read_clips(missing, session="s1")
    with pytest.raises(SessionError, match="media.json not found"):
        contract.read_media(tmp_path / "media.json", session="s1")
    (tmp_path / "media.json").write_text('{"width": 640}')
    with pytest.raises(SessionError, match="media.json lacks duration, height, n_frames"):
        contract.read_media(tmp_path / "media.json", session="s1")


def test_typed_rows_are_checked_and_sorted(tmp_path):
    clip = contract.Clip("s_0001_p00", "s", "p00", 1, 10.0, 20.0, 250, 1.0, "clips/s_0001_p00.mp4", (1,), (0, 0, 2, 2))
    first = contract.Clip("s_0000_p00", "s", "p00", 0, 0.0, 10.0, 250, 0.5, "clips/s_0000_p00.mp4", (), (0, 0, 2, 2))
    contract.CLIPS.write(tmp_path / "clips.parquet", contract.clips_table([clip, first]))
    assert contract.read_clips(tmp_path / "clips.parquet", session="s") == [first, clip]
    with pytest.raises(SessionError, match="video of clip s_0000_p00 listed in clips.parquet is missing"):
        contract.clip_videos(tmp_path / "clips.parquet", [first], session="s")
    bad = contract.Clip("s_0002_p00", "s", "p00", 2, 5.0, 5.0, 0, 0.0, "x.mp4", (), (0, 0, 2, 2))
    contract.CLIPS.write(tmp_path / "bad.parquet", contract.clips_table([bad]))
    with pytest.raises(SessionError, match="end <= start"):
        contract.read_clips(tmp_path / "bad.parquet", session="s")
    utts = [contract.Utterance("s", 2, 5.0, 6.0, "b", speaker="p00"), contract.Utterance("s", 1, 0.0, 1.0, "a")]
    contract.UTTERANCES.write(tmp_path / "u.parquet", contract.utterances_table(utts))
    assert [u.utterance for u in contract.read_utterances(tmp_path / "u.parquet", session="s")] == [1, 2]


def test_layout_round_trip_and_name_confidence_rules(tmp_path):
    tiles = (contract.Tile("p00", 0, 0, 320, 240, True, "Ann Lee", 0.93), contract.Tile("p01", 320, 0, 320, 240))
    layout = contract.Layout("detected", (640, 480), (contract.Span(0.0, 16.0, tiles),))
    contract.write_layout(tmp_path / "layout.json", layout)
    doc = json.loads((tmp_path / "layout.json").read_text())
    assert doc["spans"][0]["tiles"][1] == {"id": "p01", "x": 320, "y": 0, "w": 320, "h": 240, "camera_on": True,
                                           "name": None, "name_confidence": None}
    assert contract.read_layout(tmp_path / "layout.json", session="s") == layout
    assert layout.names() == [("p00", "Ann Lee")]
    with pytest.raises(contract.LayoutError, match="null when name is null"):
        contract.Tile("p00", 0, 0, 1, 1, name=None, name_confidence=0.5)
    with pytest.raises(contract.LayoutError, match=r"in \[0, 1\]"):
        contract.Tile("p00", 0, 0, 1, 1, name="A", name_confidence=1.5)
    doc["spans"][0]["tiles"][0]["name_confidence"] = "high"
    (tmp_path / "layout.json").write_text(json.dumps(doc))
    with pytest.raises(SessionError, match="malformed layout.json: span 0 tile 0: name_confidence"):
        contract.read_layout(tmp_path / "layout.json", session="s")


def test_layout_timeline_tiles_every_frame():
    t = (contract.Tile("p00", 0, 0, 8, 8),)
    layout = contract.Layout("override", None, (contract.Span(5.01, 10.0, t), contract.Span(0.0, 5.0, t)))
    spans = layout.timeline(249, session="s")
    assert [(s.first_frame, s.end_frame) for s in spans] == [(0, 125), (125, 249)]
    with pytest.raises(SessionError, match="no span covering"):
        contract.Layout("override", None, ()).timeline(10, session="s")


def test_stages_do_parquet_io_only_through_the_contract():
    """No private Parquet readers or writers: outside engage.io and engage.contract nothing reads or writes a
    stage file except through a TableSpec (or the typed readers built on them)."""
    import re

    banned = re.compile(r"\bpq\.(read_table|write_table|read_schema|ParquetFile|ParquetWriter)\b|"
                        r"(?<![.\w])(read_required|write_batches|write_table)\(|import pyarrow\.parquet")
    src = REPO / "src" / "engage"
    offenders = [f"{p.relative_to(src)}:{i}: {line.strip()}"
                 for p in sorted(src.rglob("*.py")) if p.parent.name not in ("io", "contract")
                 for i, line in enumerate(p.read_text().splitlines(), 1) if banned.search(line)]
    assert not offenders, "\n".join(offenders)
