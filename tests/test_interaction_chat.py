"""Chat parsing (all Zoom text layouts, multi-line bodies, garbled lines) and name matching."""

from __future__ import annotations

import pytest

from engage.errors import SessionError
from engage.interaction.chat import parse_chat_text, read_chat
from engage.contract import Layout, Span, Tile
from engage.identity import read_participants
from engage.interaction.names import build_name_index
from engage.naming import normalize_name


def _summary(log):
    return [(m.line, m.clock_s, m.sender, m.recipient, m.private, m.kind, m.text) for m in log.messages]


def test_oneline_format_with_tabs_spaces_private_and_continuations(data_dir):
    log = read_chat(data_dir / "chat" / "zoom_oneline.txt", session="t")
    assert log.garbled == []
    assert _summary(log) == [
        (1, 5.0, "Maria Lopez", "Everyone", False, "message", "Good morning everyone!"),
        (2, 9.0, "Dr. Chen (Host)", "Everyone", False, "message", "Welcome back. Today: gradient descent."),
        (3, 12.0, "Jamal 🚀 Wright", None, False, "message", "hi :)"),
        (4, 20.0, "Maria Lopez", "Dr. Chen", True, "message", "Can I ask a question later?"),
        (5, 31.0, "Ana-Sofía Ruiz", "Everyone", False, "message",
         "I have a question about the homework\npart 2, the second derivative\nis it convex?"),
        (8, 33.0, "Jamal 🚀 Wright", "Dr. Chen", True, "message", "sorry, my mic is broken"),
        (9, 41.0, "Dr. Chen (Host)", "Everyone", False, "message", "Yes, it is convex. Great question!"),
    ]


def test_multiline_format_reactions_and_thread_replies(data_dir):
    log = read_chat(data_dir / "chat" / "zoom_multiline.txt", session="t")
    assert log.garbled == []
    got = [(m.clock_s, m.sender, m.kind, m.thread_reply, m.private, m.text) for m in log.messages]
    assert got == [
        (62.0, "Maria Lopez", "message", False, False, "This is really confusing 😕"),
        (64.0, "Dr. Chen (Host)", "message", False, False, "Let me explain again.\nFirst, look at the slope."),
        (70.0, "Jamal 🚀 Wright", "reaction", False, False, 'Reacted to "Let me explain again...." with 👍'),
        (75.0, "Ana-Sofía Ruiz", "message", True, False, "Same here, but the example helps"),
        (80.0, "Jamal 🚀 Wright", "reaction_removed", False, False, 'Removed a 👍 reaction from "Let me explain again...."'),
        (100.0, "Maria Lopez", "message", False, True, "thanks!"),
    ]
    assert log.messages[-1].recipient == "Dr. Chen (Host)"


def test_cloud_recording_format(data_dir):
    log = read_chat(data_dir / "chat" / "zoom_cloud.txt", session="t")
    assert [(m.clock_s, m.sender, m.text) for m in log.messages] == [
        (121.0, "Maria Lopez", "ok that makes sense now"),
        (127.0, "Dr. Chen", "Excellent. Any other questions?"),
        (150.0, "Jamal Wright", "nope, all good"),
    ]


def test_newest_tab_form_with_irregular_spaces_and_crlf_bom():
    text = "\ufeff01:02:03\t From  Jane  Doe  to  Everyone:\r\n\tfirst line\r\n\tsecond line\r\n1:00:00 From X : y\r\n"
    log = parse_chat_text(text)
    assert [(m.clock_s, m.sender, m.recipient, m.text) for m in log.messages] == [
        (3723.0, "Jane Doe", "Everyone", "first line\nsecond line"),
        (3600.0, "X", None, "y"),
    ]


def test_garbled_lines_are_skipped_and_counted_or_fail_when_strict(data_dir):
    path = data_dir / "chat" / "zoom_garbled.txt"
    log = read_chat(path, session="s")
    assert [n for n, _ in log.garbled] == [2, 4]
    assert [(m.clock_s, m.sender, m.text) for m in log.messages] == [
        (5.0, "Maria Lopez", "first"), (15.0, "Jamal Wright", "second"), (25.0, "Maria Lopez", "third")]
    with pytest.raises(SessionError, match=r"session 's'.*zoom_garbled.txt.*garbled chat line 2\b"):
        read_chat(path, session="s", strict=True)


def test_bad_clock_and_text_before_first_message_are_garbled():
    log = parse_chat_text("hello there\n00:61:00 From A : x\n00:00:01 From A : ok\n")
    assert [n for n, _ in log.garbled] == [1, 2] and [m.text for m in log.messages] == ["ok"]


def test_empty_chat_is_valid(tmp_path):
    p = tmp_path / "chat.txt"
    p.write_text("")
    assert read_chat(p).messages == []
    p.write_text("\n  \n")
    assert read_chat(p).messages == []


def test_file_that_is_not_a_zoom_chat_fails_clearly(tmp_path):
    p = tmp_path / "chat.txt"
    p.write_text("[10:02] Jane: hello\n[10:03] Bob: hi\n")
    with pytest.raises(SessionError, match=r"no Zoom chat message found \(first unreadable line 1"):
        read_chat(p, session="s")


@pytest.mark.parametrize("a, b", [
    ("Jamal 🚀 Wright", "jamal wright"),
    ("  ANA-SOFÍA   Ruiz ", "ana-sofía ruiz"),
    ("Dr. Chen (Host)", "Dr. Chen"),
    ("Lee (Co-host)", "lee"),
    ("👩🏽‍🏫 Ms Park", "ms park"),
    ("Ｆｕｌｌ Width", "full width"),
])
def test_normalize_name_is_case_space_emoji_insensitive(a, b):
    assert normalize_name(a) == normalize_name(b) != ""


def test_emoji_only_name_normalises_to_empty():
    assert normalize_name("🚀🔥") == ""


def test_participants_csv_and_layout_names(data_dir, tmp_path):
    rows = read_participants(data_dir / "chat" / "participants.csv", "s")
    assert rows[0] == ("p00", "Maria Lopez", None) and len(rows) == 4
    tiles = (Tile("p00", 0, 0, 9, 9, name="Maria L.", name_confidence=0.9), Tile("p04", 9, 0, 9, 9, name="Sam"),
             Tile("p05", 18, 0, 9, 9))
    layout = Layout("detected", (27, 9), (Span(0.0, 1.0, tiles),))
    idx = build_name_index(rows, layout.names())
    assert idx.lookup("Jamal 🚀 Wright") == "p01"
    assert idx.lookup("Ana-Sofía Ruiz") == "p02"
    assert idx.lookup("Dr. Chen (Host)") == "p03"
    assert idx.lookup("maria l.") == "p00"  # layout label adds a second name for p00
    assert idx.lookup("SAM") == "p04"
    assert idx.lookup("Unknown Person") is None


def test_participants_win_over_layout_and_ambiguous_names_stay_unmatched():
    idx = build_name_index([("p01", "Alex"), ("p02", "Kim"), ("p03", "kim ")], [("p09", "alex"), ("p04", "Lou")])
    assert idx.lookup("Alex") == "p01"  # csv beats layout label
    assert idx.lookup("Kim") is None and "kim" in idx.ambiguous
    assert idx.lookup("Lou") == "p04"


def test_participants_csv_errors(tmp_path):
    p = tmp_path / "participants.csv"
    p.write_text("id,display\np00,A\n")
    with pytest.raises(SessionError, match="header 'person,name'"):
        read_participants(p, "s")
    p.write_text("person,name\np00,\n")
    with pytest.raises(SessionError, match="line 2"):
        read_participants(p, "s")
