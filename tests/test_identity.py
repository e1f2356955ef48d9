"""engage.identity: one student across sessions (participants.csv key, confident name, fallback; clashes)."""

from __future__ import annotations

import logging

import pytest

from contract_fixtures import write_layout
from engage.contract import read_layout
from engage.errors import SessionError
from engage.identity import (Participant, TileName, layout_tile_names, read_participants, resolve_identities,
                             session_identity)


def _ids(session, persons, **kw):
    return resolve_identities(session, persons, **kw)


def test_key_from_csv_wins_over_names():
    got = _ids("s1", ["p00", "p01"], participants=[Participant("p00", "Maria Lopez", "S-1042")],
               tile_names=[TileName("p00", "Maria Lopez", 0.99), TileName("p01", "Jamal Wright", 0.95)])
    assert got.identity == {"p00": "S-1042", "p01": "jamal wright"}
    assert got.source == {"p00": "participants key", "p01": "layout name"}


def test_csv_name_then_confident_tile_name_normalised():
    got = _ids("s1", ["p00", "p01"], participants=[Participant("p00", "  MARIA   López (Host)")],
               tile_names=[TileName("p00", "Maria L.", 0.99), TileName("p01", "Jamal 🚀 Wright (she/her)", 0.91)])
    assert got.identity == {"p00": "maria lópez", "p01": "jamal wright"}
    assert got.source["p00"] == "participants name"


def test_fallback_without_names_is_session_person():
    got = _ids("s1", ["p01", "p00", "p01"])
    assert got.identity == {"p00": "s1/p00", "p01": "s1/p01"} and set(got.source.values()) == {"session"}
    assert session_identity("s1", "p00") == "s1/p00"


def test_same_student_in_two_sessions_gets_one_identity():
    a = _ids("monday", ["p00", "p01"], tile_names=[TileName("p00", "Priya Raman", 0.96),
                                                   TileName("p01", "Sam Lee", 0.93)])
    b = _ids("tuesday", ["p00", "p01", "p02"], tile_names=[TileName("p02", "priya  RAMAN", 0.88)],
             participants=[Participant("p00", "Sam Lee")])
    assert a.identity["p00"] == b.identity["p02"] == "priya raman"
    assert a.identity["p01"] == b.identity["p00"] == "sam lee"
    assert b.identity["p01"] == "tuesday/p01"


def test_low_confidence_name_falls_back():
    names = [TileName("p00", "Priya Raman", 0.79), TileName("p01", "Sam Lee", 0.95)]
    got = _ids("s1", ["p00", "p01"], tile_names=names, min_name_confidence=0.8)
    assert got.identity == {"p00": "s1/p00", "p01": "sam lee"}
    assert _ids("s1", ["p00"], tile_names=names, min_name_confidence=0.7).identity["p00"] == "priya raman"
    # a name without a confidence comes from a layout override: the user's statement
    assert _ids("s1", ["p00"], tile_names=[TileName("p00", "Priya", None)]).identity["p00"] == "priya"
    # from_names false: only csv keys link sessions
    off = _ids("s1", ["p00", "p01"], tile_names=names, participants=[Participant("p00", "Priya", "K1")],
               from_names=False)
    assert off.identity == {"p00": "K1", "p01": "s1/p01"}


def test_name_clash_within_a_session_falls_back_with_a_warning(caplog):
    names = [TileName("p00", "Alex Kim", 0.95), TileName("p01", "alex  kim (Host)", 0.9), TileName("p02", "Lou", 0.9)]
    with caplog.at_level(logging.WARNING, logger="engage.identity"):
        got = _ids("s1", ["p00", "p01", "p02"], tile_names=names)
    assert got.identity == {"p00": "s1/p00", "p01": "s1/p01", "p02": "lou"}
    assert "alex kim" in caplog.text and "p00, p01" in caplog.text


def test_csv_key_clash_within_a_session_falls_back(caplog):
    part = [Participant("p00", "", "K7"), Participant("p01", "Bo", "K7"), Participant("p02", "", "s1/p03")]
    with caplog.at_level(logging.WARNING, logger="engage.identity"):
        got = _ids("s1", ["p00", "p01", "p02", "p03"], participants=part)
    # K7 on two persons; "s1/p03" is p03's own session identity: never two persons with one identity
    assert got.identity == {"p00": "s1/p00", "p01": "s1/p01", "p02": "s1/p02", "p03": "s1/p03"}
    assert "'K7'" in caplog.text
    # a csv key equal to another person's confident name: both fall back
    got = _ids("s1", ["p00", "p01"], participants=[Participant("p00", "", "lou")],
               tile_names=[TileName("p01", "Lou", 0.99)])
    assert got.identity == {"p00": "s1/p00", "p01": "s1/p01"}


def test_one_tile_reading_two_names_falls_back():
    names = [TileName("p00", "Alex", 0.95), TileName("p00", "Alexandra", 0.95), TileName("p00", "Al", 0.2)]
    assert _ids("s1", ["p00"], tile_names=names).identity["p00"] == "s1/p00"
    names = [TileName("p00", "Alex", 0.95), TileName("p00", "ALEX", 0.91), TileName("p00", "Al", 0.2)]
    assert _ids("s1", ["p00"], tile_names=names).identity["p00"] == "alex"


def test_participants_csv_with_key_column(tmp_path):
    p = tmp_path / "participants.csv"
    p.write_text("person,name,key\np00,Maria Lopez, S-1042 \np00,Maria L.,\np01,,S-7\np02,Jamal,\n")
    rows = read_participants(p, "s")
    assert rows == [("p00", "Maria Lopez", "S-1042"), ("p00", "Maria L.", None), ("p01", "", "S-7"),
                    ("p02", "Jamal", None)]
    assert resolve_identities("s", ["p00", "p01", "p02"], participants=rows).identity == {
        "p00": "S-1042", "p01": "S-7", "p02": "jamal"}
    p.write_text("person,name,key\np00,A,K1\np00,A,K2\n")
    with pytest.raises(SessionError, match="line 3: person p00 has two keys"):
        read_participants(p, "s")
    p.write_text("person,name,key\np00,,\n")
    with pytest.raises(SessionError, match="line 2"):
        read_participants(p, "s")


def test_layout_tile_names_from_layout_json(tmp_path):
    tiles = [{"id": "p00", "x": 0, "y": 0, "w": 9, "h": 9, "name": "Priya", "name_confidence": 0.9},
             {"id": "p01", "x": 9, "y": 0, "w": 9, "h": 9}]
    write_layout(tmp_path / "layout.json", [(0.0, 5.0, tiles), (5.0, 9.0, tiles[:1])], (18, 9), source="detected")
    names = layout_tile_names(read_layout(tmp_path / "layout.json", session="s"))
    assert names == [TileName("p00", "Priya", 0.9)] * 2
