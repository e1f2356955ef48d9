"""engage.transcript.read_transcript on hand-written WebVTT/SRT files, odd encodings and bad files."""

from __future__ import annotations

import pytest

from engage.errors import SessionError
from engage.transcript import parse_timestamp, read_transcript

VTT = """WEBVTT

NOTE exported by a meeting tool

1
00:00:01.000 --> 00:00:04.500
<v Alice Smith>Hello everyone, welcome.

2
00:00:05.250 --> 00:00:07.000
<v Bob>Thanks! <i>Glad</i> to be here.

00:01:02.5 --> 00:01:03.000
no voice tag and no identifier
"""

SRT = """1
00:00:01,000 --> 00:00:04,500
Hello everyone,
welcome.

2
00:00:05,250 --> 00:00:07,000
Thanks!
"""


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def test_vtt_times_voices_and_text(tmp_path):
    cues = read_transcript(_write(tmp_path, "t.vtt", VTT), "s1")
    assert [(c.index, c.start, c.end) for c in cues] == [(1, 1.0, 4.5), (2, 5.25, 7.0), (3, 62.5, 63.0)]
    assert [c.voice for c in cues] == ["Alice Smith", "Bob", None]
    assert cues[0].text == "Hello everyone, welcome."
    assert cues[1].text == "Thanks! Glad to be here."  # inline tags removed


def test_srt_multiline_text(tmp_path):
    cues = read_transcript(_write(tmp_path, "t.srt", SRT), "s1")
    assert [(c.start, c.end) for c in cues] == [(1.0, 4.5), (5.25, 7.0)]
    assert cues[0].text == "Hello everyone, welcome." and cues[0].voice is None


def test_out_of_order_and_overlapping_cues_sorted_with_new_indices(tmp_path):
    text = """WEBVTT

00:00:10.000 --> 00:00:12.000
<v B>second

00:00:01.000 --> 00:00:05.000
<v A>first

00:00:04.000 --> 00:00:06.000
<v C>overlaps first

00:00:08.000 --> 00:00:08.000
zero length: dropped
"""
    cues = read_transcript(_write(tmp_path, "t.vtt", text), "s1")
    assert [(c.index, c.start, c.end, c.voice) for c in cues] == [
        (1, 1.0, 5.0, "A"), (2, 4.0, 6.0, "C"), (3, 10.0, 12.0, "B")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be"])
def test_bom_and_utf16(tmp_path, encoding):
    text = VTT.replace("Bob", "Zoë")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    cues = read_transcript(_write(tmp_path, "t.vtt", data), "s1")
    assert cues[1].voice == "Zoë" and len(cues) == 3


def test_cp1252_with_crlf(tmp_path):
    text = SRT.replace("Thanks!", "Merci, très bien").replace("\n", "\r\n")
    cues = read_transcript(_write(tmp_path, "t.srt", text, "cp1252"), "s1")
    assert cues[1].text == "Merci, très bien"


@pytest.mark.parametrize(
    "content, needle",
    [
        ("", "empty"),
        ("  \n\n", "empty"),
        ("WEBVTT\n\n", "no timed cues"),
        ("WEBVTT\n\n00:00:01.000 --> garbage\nhello\n", "no timed cues"),
        ("this is not a transcript\njust text\n", "malformed"),
        (b"\x00\x01\x02\xff\xfe\x00garbage" * 50, "not a text file"),
    ],
    ids=["empty", "blank", "header-only", "bad-time", "plain-text", "binary"],
)
def test_bad_transcripts_give_one_line_session_error(tmp_path, content, needle):
    p = _write(tmp_path, "transcript.vtt", content)
    with pytest.raises(SessionError) as err:
        read_transcript(p, "lecture-3")
    msg = str(err.value)
    assert "\n" not in msg and "session 'lecture-3'" in msg and str(p) in msg and needle in msg


def test_missing_file(tmp_path):
    with pytest.raises(SessionError, match="not found"):
        read_transcript(tmp_path / "nope.vtt", "s")


def test_parse_timestamp_forms():
    assert parse_timestamp("01:02:03.450") == 3723.45
    assert parse_timestamp("02:03.5") == 123.5
    assert parse_timestamp("00:00:01,5") == 1.5
    with pytest.raises(ValueError):
        parse_timestamp("1.5s")


def test_unreadable_cue_timing_is_skipped_with_a_warning(tmp_path, caplog):
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:03.000 --> garbage\nlost\n\n00:00:05.000 --> 00:00:06.000\nok2\n"
    with caplog.at_level("WARNING"):
        cues = read_transcript(_write(tmp_path, "t.vtt", text), "s1")
    assert [c.text for c in cues] == ["ok", "ok2"]
    assert "1 cue(s) with an unreadable timing line skipped" in caplog.text


ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:03.500
Jane Doe: Good morning everyone.

2
00:00:04.000 --> 00:00:06.000
John O'Brien-Smith: Morning! Can you hear me?

3
00:00:06.500 --> 00:00:08.000
Jane Doe: Yes: loud and clear.
"""


def test_zoom_name_prefixes_become_voices(tmp_path):
    """Zoom's audio-transcript VTT writes "Name: text": the name must not reach the text features."""
    cues = read_transcript(_write(tmp_path, "zoom.vtt", ZOOM_VTT), "s1")
    assert [c.voice for c in cues] == ["Jane Doe", "John O'Brien-Smith", "Jane Doe"]
    assert [c.text for c in cues] == ["Good morning everyone.", "Morning! Can you hear me?", "Yes: loud and clear."]


def test_a_stray_colon_in_an_unlabelled_transcript_stays_text(tmp_path):
    srt = SRT + "\n3\n00:00:08,000 --> 00:00:09,000\nNote: the slides are online.\n\n4\n00:00:10,000 --> 00:00:11,000\nOk.\n"
    cues = read_transcript(_write(tmp_path, "t.srt", srt), "s1")
    assert cues[2].text == "Note: the slides are online." and cues[2].voice is None


def test_webvtt_with_srt_comma_decimals_is_read_with_a_warning(tmp_path, caplog):
    """An .srt renamed to .vtt (a WEBVTT header added) keeps its commas: every cue was skipped and the
    error blamed the format ("no timed cues (not WebVTT/SRT?)")."""
    text = "WEBVTT\n\n1\n00:00:01,000 --> 00:00:02,500\n<v Ann>first\n\n2\n00:01:02,5 --> 00:01:03,250\nsecond\n"
    with caplog.at_level("WARNING"):
        cues = read_transcript(_write(tmp_path, "t.vtt", text), "s1")
    assert [(c.start, c.end, c.text, c.voice) for c in cues] == [(1.0, 2.5, "first", "Ann"), (62.5, 63.25, "second", None)]
    assert "comma decimals in 2 cue time(s)" in caplog.text and "t.vtt" in caplog.text
    # commas in cue text are left alone
    assert read_transcript(_write(tmp_path, "u.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n00:00:01,000 or 1,5\n"),
                           "s")[0].text == "00:00:01,000 or 1,5"


def test_character_references_in_cue_text_are_decoded(tmp_path):
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Tom &amp; Jerry>Q&amp;A: 2 &lt; 3 &gt; 1, caf&#233; &#x263A;"
           "&nbsp;ok\n\n00:00:03.000 --> 00:00:04.000\nR&D and AT&T stay; &lt;b&gt; is text, <b>this</b> a tag\n")
    cues = read_transcript(_write(tmp_path, "t.vtt", vtt), "s1")
    assert cues[0].text == "Q&A: 2 < 3 > 1, café ☺ ok" and cues[0].voice == "Tom & Jerry"
    assert cues[1].text == "R&D and AT&T stay; <b> is text, this a tag"
    srt = "1\n00:00:01,000 --> 00:00:02,000\nTom &amp; Jerry\n"
    assert read_transcript(_write(tmp_path, "t.srt", srt), "s1")[0].text == "Tom & Jerry"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_ascii_utf16_without_bom(tmp_path, encoding, caplog):
    """ASCII text in UTF-16 is valid UTF-8 (with NULs): it was read as UTF-8 and refused as
    "neither WebVTT (no WEBVTT header) nor SRT" instead of being decoded as UTF-16."""
    with caplog.at_level("WARNING"):
        cues = read_transcript(_write(tmp_path, "t.srt", SRT, encoding), "s1")
    assert [c.text for c in cues] == ["Hello everyone, welcome.", "Thanks!"]
    assert f"UTF-16 without a byte-order mark; decoded as {encoding}" in caplog.text
