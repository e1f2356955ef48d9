"""The interaction stage on a hand-built session timeline with exact expected numbers.

Timeline (s): p00 speaks 0-4 and 4.5-6 (one turn), p01 8-12 (reply to p00), unattributed 13-15,
p02 24-25 (reply to the unattributed speech), p00 30-33 (reply to chat). Chat: p00 at 2, p02 reacts
at 21, p01 at 27 (reply to p02's turn), an unmatched teacher at 28, p00 at 36 (reply) and 50
(after the last clip). Clips: 4 windows of 10 s for p00, p01, p02.
"""

from __future__ import annotations

import csv

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from contract_fixtures import clip, write_clips, write_layout
from engage.contract import UTTERANCES, Utterance, utterances_table
from engage.errors import SessionError
from engage.interaction import interaction_session
from engage.interaction.sentiment import compound
from engage.io.parquet import read_meta

CUES = [  # utterance, start, end, text, speaker
    (1, 0.0, 4.0, "I love this class", "p00"),
    (2, 4.5, 6.0, "really great", "p00"),
    (3, 8.0, 12.0, "no I disagree with that", "p01"),
    (4, 13.0, 15.0, "okay", None),
    (5, 30.0, 33.0, "anyone there", "p00"),
    (6, 24.0, 25.0, "yes", "p02"),
]
CHAT = (
    "00:00:02 From Maria Lopez to Everyone: hello all\n"
    "00:00:21 From Ana Ruiz To Everyone:\n"
    '\tReacted to "hello all" with 👍\n'
    "00:00:27 From Jamal 🚀 Wright to Everyone: this is terrible\n"
    "00:00:28 From Teacher X to Everyone: thanks\n"
    "00:00:36 From Maria Lopez : great, thanks!\n"
    "00:00:50 From Maria Lopez to Everyone: bye\n"
)
PARTICIPANTS = "person,name\np00,maria lopez\np01,Jamal Wright\np02,Ana Ruiz\n"


def _write_inputs(d, cues=CUES, layout_names=None):
    d.mkdir(parents=True, exist_ok=True)
    write_clips(d / "clips.parquet", [clip("s1", w, p, 10.0 * w, 10.0 * w + 10) for p in ("p00", "p01", "p02")
                                      for w in range(4)])
    utts = [Utterance("s1", u, a, b, t, None, s) for u, a, b, t, s in cues]
    UTTERANCES.write(d / "utterances.parquet", utterances_table(utts))
    names = layout_names or {}
    write_layout(d / "layout.json", [(0.0, 40.0, [{"id": p, "x": 0, "y": 0, "w": 1, "h": 1, "camera_on": True,
                                                   "name": names.get(p)} for p in ("p00", "p01", "p02")])],
                 (640, 480), source="detected")
    return d


def _run(tmp_path, chat=CHAT, participants=PARTICIPANTS, **kw):
    d = _write_inputs(tmp_path / "in", **{k: kw.pop(k) for k in ("cues", "layout_names") if k in kw})
    chat_path = part_path = None
    if chat is not None:
        chat_path = tmp_path / "chat.txt"
        chat_path.write_text(chat, encoding="utf-8")
    if participants is not None:
        part_path = tmp_path / "participants.csv"
        part_path.write_text(participants, encoding="utf-8")
    out = tmp_path / "out"
    meta = interaction_session(session="s1", clips=d / "clips.parquet", utterances=d / "utterances.parquet",
                               layout=d / "layout.json", chat=chat_path, participants=part_path,
                               out_features=out / "interaction.parquet", out_csv=out / "participation.csv",
                               out_png=out / "participation.png", **kw)
    rows = {r["clip_id"]: r for r in pq.read_table(out / "interaction.parquet").to_pylist()}
    return rows, meta, out


def _get(rows, person, window):
    return rows[f"s1_{window:04d}_{person}"]


def test_per_clip_counts_on_constructed_timeline(tmp_path):
    rows, meta, out = _run(tmp_path)
    assert len(rows) == 12
    hello, great = compound("hello all"), compound("great, thanks!")
    expect = {
        ("p00", 0): dict(words=6.0, turns=1, speech_seconds=5.5, replies_spoken=0, chat_messages=1, chat_words=2,
                         chat_reactions=0, chat_messages_history=1, replies_chat=0, replies=0,
                         sentiment_chat=hello, sentiment_chat_history=hello),
        ("p00", 1): dict(words=0.0, turns=0, speech_seconds=0.0, replies_spoken=0, chat_messages=0, chat_words=0,
                         chat_messages_history=1, replies=0, sentiment_speech=None, sentiment_chat=None,
                         sentiment_chat_history=hello),
        ("p00", 3): dict(words=2.0, turns=1, speech_seconds=3.0, replies_spoken=1, chat_messages=1, chat_words=2,
                         chat_messages_history=2, replies_chat=1, replies=2, sentiment_chat=great,
                         sentiment_chat_history=pytest.approx((hello + great) / 2),
                         sentiment_speech=compound("anyone there")),
        ("p01", 0): dict(words=2.5, turns=1, speech_seconds=2.0, replies_spoken=1, chat_messages=0, replies=1,
                         sentiment_speech=compound("no I disagree with that"), sentiment_chat=None),
        ("p01", 1): dict(words=2.5, turns=0, speech_seconds=2.0, replies_spoken=0, replies=0,
                         sentiment_speech=compound("no I disagree with that")),
        ("p01", 2): dict(words=0.0, chat_messages=1, chat_words=3, replies_chat=1, replies=1,
                         sentiment_chat=compound("this is terrible"), chat_messages_history=1),
        ("p01", 3): dict(chat_messages=0, chat_messages_history=1, sentiment_chat=None,
                         sentiment_chat_history=compound("this is terrible")),
        ("p02", 2): dict(words=1.0, turns=1, speech_seconds=1.0, replies_spoken=1, chat_messages=0, chat_reactions=1,
                         replies=1, sentiment_chat=None),
        ("p02", 3): dict(words=0.0, turns=0, replies=0, chat_messages=0, chat_messages_history=0),
    }
    for (person, window), want in expect.items():
        got = _get(rows, person, window)
        for k, v in want.items():
            assert got[k] == v, (person, window, k, got[k], v)
    assert compound("this is terrible") < 0 < compound("I love this class")
    assert _get(rows, "p00", 0)["sentiment_speech"] == pytest.approx(
        (compound("I love this class") + compound("really great")) / 2)
    # Proportional words add up to each speaker's session total.
    assert sum(r["words"] for r in rows.values() if r["person"] == "p01") == 5.0
    assert meta["chat_messages"] == 5 and meta["chat_reactions"] == 1 and meta["chat_matched"] == 5
    assert meta["chat_unmatched"] == 1 and meta["chat_unmatched_names"] == {"Teacher X": 1}
    assert meta["chat_outside_recording"] == 1 and meta["chat_garbled_lines"] == 0
    assert read_meta(out / "interaction.parquet")["sentiment_model"] == "vaderSentiment==3.3.2"


def test_participation_summary_csv_and_png(tmp_path):
    _, _, out = _run(tmp_path)
    with open(out / "participation.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["person"], r["name"]) for r in rows] == [
        ("p00", "maria lopez"), ("p01", "Jamal Wright"), ("p02", "Ana Ruiz"), ("", "Teacher X")]
    p00, p01, p02, teacher = rows
    assert (float(p00["talk_seconds"]), float(p01["talk_seconds"]), float(p02["talk_seconds"])) == (8.5, 4.0, 1.0)
    assert float(p00["talk_share"]) == round(8.5 / 13.5, 4)
    assert [int(r["turns"]) for r in rows] == [2, 1, 1, 0]
    assert [int(r["chat_messages"]) for r in rows] == [3, 1, 0, 1]
    assert [int(r["replies"]) for r in rows] == [2, 2, 1, 1]
    png = (out / "participation.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_unattributed_speech_can_be_ignored_for_replies(tmp_path):
    rows, _, _ = _run(tmp_path, unattributed_is_other=False)
    assert _get(rows, "p02", 2)["replies_spoken"] == 0  # only p01 (ended 12 s) precedes; 24 - 10 > 12
    rows, _, _ = _run(tmp_path, reply_window_s=0.5)
    assert _get(rows, "p01", 0)["replies_spoken"] == 0 and _get(rows, "p02", 2)["replies_spoken"] == 0


def test_chat_offset_and_history_window(tmp_path):
    rows, meta, _ = _run(tmp_path, chat_offset_s=10.0, history_s=15.0)
    assert _get(rows, "p00", 1)["chat_messages"] == 1  # 2 s + 10 s offset = 12 s
    assert _get(rows, "p00", 1)["chat_messages_history"] == 1  # [5, 20) holds 12
    assert _get(rows, "p00", 2)["chat_messages_history"] == 0  # [15, 30) does not
    assert _get(rows, "p01", 3)["chat_messages"] == 1  # 27 + 10 = 37
    assert meta["chat_outside_recording"] == 2  # 46 and 60 > 40


def test_no_chat_file_gives_null_chat_columns(tmp_path):
    rows, meta, out = _run(tmp_path, chat=None, participants=None)
    r = _get(rows, "p00", 3)
    assert r["chat_messages"] is None and r["sentiment_chat"] is None and r["replies_chat"] is None
    assert r["replies_spoken"] == 1 and r["replies"] == 1  # p02 ended at 25 s, p00 starts at 30 s
    assert meta["chat_file"] is False
    with open(out / "participation.csv", newline="") as f:
        assert [r["chat_messages"] for r in csv.DictReader(f)] == ["", "", ""]


def test_empty_chat_gives_zero_counts(tmp_path):
    rows, meta, _ = _run(tmp_path, chat="")
    assert all(r["chat_messages"] == 0 and r["chat_messages_history"] == 0 for r in rows.values())
    assert meta["chat_messages"] == 0


def test_names_from_layout_tiles_without_participants(tmp_path):
    rows, meta, _ = _run(tmp_path, participants=None, layout_names={"p01": "JAMAL WRIGHT"})
    assert _get(rows, "p01", 2)["chat_messages"] == 1
    assert _get(rows, "p00", 0)["chat_messages"] == 0  # Maria is not named anywhere
    assert meta["chat_unmatched_names"] == {"Ana Ruiz": 1, "Maria Lopez": 3, "Teacher X": 1}  # reaction too


def test_rerun_is_byte_identical(tmp_path):
    _, _, out = _run(tmp_path / "a")
    _, _, out2 = _run(tmp_path / "b")
    for name in ("interaction.parquet", "participation.csv", "participation.png"):
        assert (out / name).read_bytes() == (out2 / name).read_bytes(), name


def test_silent_session_and_no_clips(tmp_path):
    rows, meta, _ = _run(tmp_path, cues=[], chat=None, participants=None)
    assert all(r["words"] == 0 and r["turns"] == 0 and r["sentiment_speech"] is None for r in rows.values())


def test_bad_inputs_raise_one_line_session_errors(tmp_path):
    d = _write_inputs(tmp_path / "in")
    pq.write_table(pa.table({"clip_id": ["x"]}), d / "clips.parquet")
    kw = dict(session="s1", clips=d / "clips.parquet", utterances=d / "utterances.parquet", layout=d / "layout.json",
              out_features=tmp_path / "o.parquet", out_csv=tmp_path / "o.csv", out_png=tmp_path / "o.png")
    with pytest.raises(SessionError, match=r"session 's1' \(.*clips.parquet\): clips table lacks column\(s\) session"):
        interaction_session(**kw)
    _write_inputs(d)
    (d / "layout.json").write_text("{not json")
    with pytest.raises(SessionError, match="layout.json.*malformed layout.json"):
        interaction_session(**kw)
