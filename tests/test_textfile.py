"""One decoding policy for user text files (engage.io.textfile), and every reader uses it."""

from __future__ import annotations

import codecs
import logging

import pytest

from engage.errors import SessionError
from engage.io.textfile import decode_text_input, read_text_input

TEXT = "clip_id,label\nSéance_0001_p00,EG\nZoë “quote” — ok,HE\n"


@pytest.mark.parametrize("raw", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
    TEXT.encode("utf-16-le"),
    TEXT.encode("utf-16-be"),
    TEXT.encode("cp1252"),
], ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf32le-bom", "utf16le-nobom", "utf16be-nobom", "cp1252"])
def test_every_common_encoding_gives_the_same_text(raw):
    assert decode_text_input(raw, session="s", path="f.csv", what="labels file") == TEXT


def test_fallbacks_warn_naming_the_file(caplog):
    with caplog.at_level(logging.WARNING, logger="engage.io.textfile"):
        decode_text_input(TEXT.encode("cp1252"), session="s1", path="sessions/s1/labels.csv", what="labels file")
        decode_text_input(TEXT.encode("utf-16-le"), session="s1", path="sessions/s1/t.vtt", what="transcript")
    msgs = [r.getMessage() for r in caplog.records]
    assert any("cp1252" in m and "sessions/s1/labels.csv" in m for m in msgs)
    assert any("UTF-16 without a byte-order mark" in m and "t.vtt" in m for m in msgs)


def test_utf8_is_silent(caplog):
    with caplog.at_level(logging.WARNING, logger="engage.io.textfile"):
        decode_text_input(TEXT.encode("utf-8"), session="s", path="x", what="x")
    assert not caplog.records


def test_binary_and_missing_files_are_one_line_errors(tmp_path):
    binary = tmp_path / "chat.txt"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe\x00garbage\x00\x00\x17")
    with pytest.raises(SessionError, match=r"chat file is not a text file") as err:
        read_text_input(binary, session="s", what="chat file")
    assert "\n" not in str(err.value) and str(binary) in str(err.value)
    with pytest.raises(SessionError, match="labels file not found"):
        read_text_input(tmp_path / "nope.csv", session="s", what="labels file")


def test_newlines_are_universal(tmp_path):
    p = tmp_path / "t.txt"
    p.write_bytes(b"a\r\nb\rc\n")
    assert read_text_input(p, session=None, what="x") == "a\nb\nc\n"


def test_readers_share_the_policy(tmp_path):
    """participants.csv, labels.csv, layout.json overrides and transcripts accept cp1252 and BOMs alike."""
    from engage.identity import read_participants
    from engage.layout.override import load_override
    from engage.model.dataset import read_labels
    from engage.transcript import read_transcript

    part = tmp_path / "participants.csv"
    part.write_bytes("person,name\np00,Zoë Müller\n".encode("cp1252"))
    assert read_participants(part, "s") == [("p00", "Zoë Müller", None)]

    labels = tmp_path / "labels.csv"
    labels.write_bytes("clip_id,label\ns_0000_p00,EG\n".encode("cp1252"))
    assert read_labels(labels, "s") == {"s_0000_p00": "EG"}

    layout = tmp_path / "layout.json"
    layout.write_bytes(codecs.BOM_UTF8 + b'{"spans": [{"start": 0, "end": 4, "tiles": '
                       b'[{"id": "p00", "x": 0, "y": 0, "w": 320, "h": 240}]}]}')
    doc = load_override(layout, session="s", frame_size=(320, 240), duration=4.0)
    assert doc.spans[0].tiles[0].id == "p00"

    vtt = tmp_path / "transcript.vtt"
    vtt.write_bytes("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nGrüße\n".encode("utf-16-le"))
    assert [c.text for c in read_transcript(vtt, "s")] == ["Grüße"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_ascii_utf16_without_bom_is_not_taken_for_utf8(encoding, caplog):
    """ASCII in UTF-16 is valid UTF-8 full of NULs; it must decode as UTF-16 (with the warning)."""
    ascii_text = "clip_id,label\ns_0000_p00,EG\n"
    with caplog.at_level(logging.WARNING, logger="engage.io.textfile"):
        assert decode_text_input(ascii_text.encode(encoding), session="s", path="f.csv", what="labels file") == ascii_text
    assert f"decoded as {encoding}" in caplog.text


def test_utf8_with_nul_bytes_is_refused():
    with pytest.raises(SessionError, match="not a text file"):
        decode_text_input(b"WEBVTT\n\x00\x00\x00\n00:00:01.000 --> 00:00:02.000\nhi\n", session="s", path="t.vtt",
                          what="transcript")
