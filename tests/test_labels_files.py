"""Rater files and labels.csv: parsing, one-line errors naming file and line, writing; parse-time sources."""

from __future__ import annotations

import pytest

from engage.errors import SessionError
from engage.labels.files import format_label_file, is_rater_name, read_label_file, write_label_file
from engage.labels.sources import session_label_sources
from engage.model.dataset import read_labels

CLIPS = {"s_0000_p00", "s_0000_p01", "s_0001_p00"}


def _err(tmp_path, content: bytes | str, **kw) -> str:
    p = tmp_path / "anna.csv"
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(SessionError) as e:
        read_label_file(p, session="s", known_clips=CLIPS, **kw)
    msg = str(e.value)
    assert "\n" not in msg and str(p) in msg and "session 's'" in msg
    return msg


def test_reads_labels_skip_case_separators_and_extra_columns(tmp_path):
    p = tmp_path / "anna.csv"
    p.write_text("Label;clip_id;note\neg;s_0000_p00;x\nSKIP;s_0000_p01;\n\n  \nHe;s_0001_p00;late\n")
    f = read_label_file(p, session="s", known_clips=CLIPS)
    assert f.labels == {"s_0000_p00": "EG", "s_0000_p01": "skip", "s_0001_p00": "HE"}
    assert f.rated() == {"s_0000_p00": "EG", "s_0001_p00": "HE"}
    assert f.lines["s_0001_p00"] == 6  # blank and whitespace-only lines keep the line numbers true


@pytest.mark.parametrize("content, expect", [
    ("", "the file is empty"),
    ("\n  \n", "the file is empty"),
    ("clip_id,label\n", "has a header but no label rows"),
    ("clip,grade\ns_0000_p00,EG\n", "line 1: the header must name the columns clip_id and label"),
    ("clip_id,label\ns_0000_p00,bored\n", "line 2: label 'bored' is not one of HD|DE|EG|HE|skip"),
    ("clip_id,label\ns_0000_p00,EG\n\n   \ns_0000_p00,HE\n", "line 5: clip s_0000_p00 labelled twice (first on line 2)"),
    ("clip_id,label\ns_9999_p07,EG\n", "line 2: clip s_9999_p07 is not a clip of session s"),
    ("clip_id,label\n,EG\n", "line 2: empty clip_id"),
    ("clip_id,label\ns_0000_p00\n", "line 2: expected clip_id,label"),
    ("clip_id,label\ns_0000_p00,EG\n \ns_0001_p00,great\n", "line 4: label 'great'"),
])
def test_bad_rater_file_is_one_line_naming_file_and_line(tmp_path, content, expect):
    assert expect in _err(tmp_path, content)


def test_wrong_encodings(tmp_path):
    # cp1252 (Excel on Windows) is decoded with a warning by the one policy; a label typed with a
    # non-ASCII character is then an unknown label on its line
    assert "line 2: label 'Engagé' is not one of" in _err(tmp_path, "clip_id,label\ns_0000_p00,Engagé\n".encode("cp1252"))
    assert "not a text file" in _err(tmp_path, b"\x00\x01\x02\x00\xff\xfe\x00\x00\x10")
    p = tmp_path / "utf16.csv"
    p.write_bytes("clip_id,label\ns_0000_p00,DE\n".encode("utf-16"))  # with BOM: fine
    assert read_label_file(p, session="s", known_clips=CLIPS).labels == {"s_0000_p00": "DE"}


def test_unknown_clips_can_be_skipped(tmp_path):
    p = tmp_path / "anna.csv"
    p.write_text("clip_id,label\ns_0000_p00,EG\ns_9999_p07,HE\n")
    f = read_label_file(p, session="s", known_clips=CLIPS, unknown_clips="skip")
    assert f.labels == {"s_0000_p00": "EG"} and f.unknown_clips == ["s_9999_p07"]


def test_labels_csv_takes_no_skip_and_header_only_is_an_error(tmp_path):
    p = tmp_path / "labels.csv"
    p.write_text("clip_id,label\ns_0000_p00,skip\n")
    with pytest.raises(SessionError, match="line 2: label 'skip' is not one of HD|DE|EG|HE"):
        read_labels(p, "s")
    p.write_text("clip_id,label\n\n")
    with pytest.raises(SessionError, match="no label rows"):
        read_labels(p, "s")
    p.write_text("clip_id,label\n\n  \ns_0000_p00,EG\ns_0000_p00,HE\n")
    with pytest.raises(SessionError, match="line 5: clip s_0000_p00 labelled twice"):
        read_labels(p, "s")


def test_write_is_ordered_and_round_trips(tmp_path):
    labels = {"s_0001_p00": "HE", "zzz": "skip", "s_0000_p00": "EG"}
    order = ["s_0000_p00", "s_0000_p01", "s_0001_p00"]
    assert format_label_file(labels, order) == "clip_id,label\ns_0000_p00,EG\ns_0001_p00,HE\nzzz,skip\n"
    p = tmp_path / "labels" / "anna.csv"
    write_label_file(p, labels, order)
    assert read_label_file(p, session="s").labels == {"s_0000_p00": "EG", "s_0001_p00": "HE", "zzz": "skip"}
    assert [q.name for q in p.parent.iterdir()] == ["anna.csv"]


@pytest.mark.parametrize("name, ok", [("anna", True), ("rater_2.b-x", True), ("_a", True), ("", False), (".hidden", False),
                                      ("-x", False), ("a/b", False), ("../x", False), ("a b", False), ("x" * 65, False),
                                      ("x" * 64, True), (None, False), ("é", False)])
def test_rater_names(name, ok):
    assert is_rater_name(name) is ok


def test_sources_at_parse_time(tmp_path):
    d = tmp_path / "s"
    (d / "labels").mkdir(parents=True)
    (d / "labels.csv").write_text("clip_id,label\n")  # header only: said, and not labelled
    src = session_label_sources(tmp_path, "s")
    assert not src.labelled and "labels.csv has no label rows" in src.problems[0]
    (d / "labels" / "anna.csv").write_text("clip_id,label\ns_0000_p00,EG\n")
    (d / "labels" / "adjudicated.csv").write_text("clip_id,label\n")
    (d / "labels" / ".anna.csv.x1.tmp.csv").write_text("")  # the server's temporary file: ignored
    (d / "labels" / "bad name.csv").write_text("clip_id,label\n")
    (d / "labels" / "notes.txt").write_text("")
    src = session_label_sources(tmp_path, "s")
    assert src.labelled and src.override is None
    assert [p.rsplit("/", 1)[1] for p in src.raters] == ["anna.csv"]
    assert src.adjudicated.endswith("adjudicated.csv")
    assert len(src.problems) == 2 and "bad name.csv" in src.problems[1]
    (d / "labels.csv").write_text("clip_id,label\n\n  \ns_0000_p00,EG\n")
    assert session_label_sources(tmp_path, "s").override.endswith("labels.csv")
