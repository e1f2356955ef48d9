"""Units of the who-said-what chain after rule asd: cues (times apart from text, end-of-recording
warnings), speakers (names per span, attribution modes) and utterances (the text joined back)."""

from __future__ import annotations

import numpy as np
import pytest

from contract_fixtures import write_layout
from engage.contract import ASD, Layout, Media, Span, Tile, Utterance, read_cues, read_speakers, write_media
from engage.cues import cue_times_digest, end_of_recording_warnings, write_cues_session
from engage.errors import SessionError
from engage.io.parquet import read_meta
from engage.speakers import attribute_speakers_session
from engage.speakers.attribution import combine, name_speakers
from engage.transcript import Cue
from engage.utterances import join_text_session

VTT = """WEBVTT

1
00:00:00.500 --> 00:00:02.000
Priya Raman: good morning everyone

2
00:00:02.500 --> 00:00:04.000
Tom Becker (Host): morning

3
00:00:05.000 --> 00:00:06.000
Speaker 3: who am I
"""


def _spans(*spans):
    return Layout("detected", (640, 360), tuple(
        Span(a, b, tuple(Tile(i, 0, 0, 2, 2, True, n, 0.9 if n else None) for i, n in tiles))
        for a, b, tiles in spans)).timeline(200, session="s")


def _cue(k, a, b, voice):
    return Utterance("s", k, a, b, "", voice)


def test_name_matches_exactly_one_tile_of_the_cues_span():
    spans = _spans((0.0, 4.0, [("p00", "Priya Raman"), ("p01", "Tom Becker (Host)"), ("p02", "iPad"), ("p03", "iPad")]),
                   (4.0, 8.0, [("p00", None), ("p01", "Priya Raman")]))
    cues = [_cue(1, 0.5, 2.0, "priya  raman"), _cue(2, 2.5, 3.5, "Tom Becker"), _cue(3, 1.0, 2.0, "iPad"),
            _cue(4, 5.0, 6.0, "Priya Raman"), _cue(5, 6.0, 7.0, None), _cue(6, 0.0, 1.0, "Someone Else")]
    # case/spacing and role tags do not matter; two "iPad" tiles are no evidence; names are per span
    # (Priya's name is on p01's tile in the second span); no voice or an unknown name: nobody
    assert name_speakers(cues, spans) == ["p00", "p01", None, "p01", None, None]


@pytest.mark.parametrize("mode, want", [("auto", [("p00", "name"), ("p01", "asd"), (None, None)]),
                                        ("asd", [("p01", "asd"), ("p01", "asd"), (None, None)]),
                                        ("name", [("p00", "name"), (None, None), (None, None)])])
def test_attribution_modes(mode, want):
    assert [combine(mode, n, a) for n, a in (("p00", "p01"), (None, "p01"), (None, None))] == want


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="asd.attribution"):
        combine("video", None, None)


def test_cue_digest_ignores_text_but_not_times_or_names(tmp_path):
    p = tmp_path / "transcript.vtt"
    p.write_text(VTT)
    base = cue_times_digest(p)
    p.write_text(VTT.replace("who am I", "who am I, again?"))
    assert cue_times_digest(p) == base
    p.write_text(VTT.replace("00:00:06.000", "00:00:06.500"))
    assert cue_times_digest(p) != base
    p.write_text(VTT.replace("Speaker 3:", "Noah Williams:"))
    assert cue_times_digest(p) != base
    p.write_bytes(b"\x00\x01garbage")
    assert cue_times_digest(p).startswith("unreadable-")
    assert cue_times_digest(None) == "none" and cue_times_digest(tmp_path / "gone.vtt") == "missing"


def test_cues_after_or_past_the_end_are_warned_about():
    cues = [Cue(1, 1.0, 2.0, "a"), Cue(2, 9.0, 12.0, "b"), Cue(3, 10.0, 11.0, "c"), Cue(4, 14.0, 15.0, "d")]
    warnings = end_of_recording_warnings(cues, 10.0, "transcript.vtt")
    assert len(warnings) == 2
    assert "2 cue(s) start after the end of the recording (10.00 s), first at 10.00 s" in warnings[0]
    assert "1 cue(s) run past the end" in warnings[1] and "12.00 s (cue 2)" in warnings[1]
    assert end_of_recording_warnings([Cue(1, 1.0, 10.3, "a")], 10.0, "t.vtt") == []  # within tolerance


def _media(path, duration=8.0, has_audio=True):
    write_media(path, Media(duration=duration, width=640, height=360, n_frames=int(duration * 25), has_audio=has_audio))
    return path


def test_cues_stage_writes_times_and_names_only_with_warnings(tmp_path):
    (tmp_path / "transcript.vtt").write_text(VTT)
    write_cues_session(session="s", transcript=tmp_path / "transcript.vtt", media_json=_media(tmp_path / "media.json", 5.5),
                       output=tmp_path / "cues.parquet", times_digest="abc")
    rows = read_cues(tmp_path / "cues.parquet", session="s")
    assert [(u.utterance, u.start, u.end, u.voice, u.text) for u in rows] == [
        (1, 0.5, 2.0, "Priya Raman", ""), (2, 2.5, 4.0, "Tom Becker (Host)", ""), (3, 5.0, 6.0, "Speaker 3", "")]
    meta = read_meta(tmp_path / "cues.parquet")
    assert meta["times_digest"] == "abc" and len(meta["warnings"]) == 0  # 6.0 <= 5.5 + 0.5
    write_cues_session(session="s", transcript=None, media_json=tmp_path / "media.json", output=tmp_path / "none.parquet")
    assert read_cues(tmp_path / "none.parquet", session="s") == []


def test_speakers_stage_on_real_tables_and_utterances_join(tmp_path):
    (tmp_path / "transcript.vtt").write_text(VTT)
    media = _media(tmp_path / "media.json")
    write_cues_session(session="s", transcript=tmp_path / "transcript.vtt", media_json=media, output=tmp_path / "cues.parquet")
    write_layout(tmp_path / "layout.json", [(0.0, 8.0, [
        {"id": "p00", "x": 0, "y": 0, "w": 320, "h": 360, "name": "Priya Raman", "name_confidence": 0.95},
        {"id": "p01", "x": 320, "y": 0, "w": 320, "h": 360}])], (640, 360), source="detected")
    frames = np.arange(200)
    rows = [dict(session="s", person=p, frame=int(f), time=f / 25,
                 score=float(3.0 if (p == "p01") == (f >= 60) else -3.0), speaking=False)
            for p in ("p00", "p01") for f in frames]
    ASD.write(tmp_path / "asd.parquet", ASD.from_rows(rows))
    kw = dict(session="s", asd=tmp_path / "asd.parquet", cues=tmp_path / "cues.parquet",
              layout_json=tmp_path / "layout.json", media_json=media)
    attribute_speakers_session(**kw, output=tmp_path / "speakers.parquet")
    got = [(u.speaker, u.speaker_source, u.asd_speaker, u.name_speaker) for u in read_speakers(tmp_path / "speakers.parquet", session="s")]
    # cue 1: named and ASD agree; cue 2: p01 has no name on its tile, ASD decides; cue 3: generic name, ASD
    assert got == [("p00", "name", "p00", "p00"), ("p01", "asd", "p01", None), ("p01", "asd", "p01", None)]
    first = (tmp_path / "speakers.parquet").read_bytes()
    attribute_speakers_session(**kw, output=tmp_path / "speakers.parquet")
    assert (tmp_path / "speakers.parquet").read_bytes() == first  # byte-identical rerun
    assert read_meta(tmp_path / "speakers.parquet")["by_name"] == 1

    join_text_session(session="s", speakers=tmp_path / "speakers.parquet", transcript=tmp_path / "transcript.vtt",
                      output=tmp_path / "utterances.parquet")
    from engage.contract import read_utterances

    utts = read_utterances(tmp_path / "utterances.parquet", session="s")
    assert [u.text for u in utts] == ["good morning everyone", "morning", "who am I"]
    assert [u.speaker_source for u in utts] == ["name", "asd", "asd"]

    (tmp_path / "transcript.vtt").write_text(VTT.replace("00:00:05.000", "00:00:05.200"))  # changed after speakers
    with pytest.raises(SessionError, match="cue 3 of speakers.parquet is not in the transcript any more"):
        join_text_session(session="s", speakers=tmp_path / "speakers.parquet", transcript=tmp_path / "transcript.vtt",
                          output=tmp_path / "u2.parquet")


def test_no_audio_means_names_only(tmp_path):
    (tmp_path / "transcript.vtt").write_text(VTT)
    media = _media(tmp_path / "media.json", has_audio=False)
    write_cues_session(session="s", transcript=tmp_path / "transcript.vtt", media_json=media, output=tmp_path / "cues.parquet")
    write_layout(tmp_path / "layout.json", [(0.0, 8.0, [{"id": "p00", "x": 0, "y": 0, "w": 2, "h": 2, "name": "Tom Becker"}])])
    ASD.write(tmp_path / "asd.parquet", ASD.from_rows([dict(session="s", person="p00", frame=0, time=0.0, score=None,
                                                            speaking=False)]))
    attribute_speakers_session(session="s", asd=tmp_path / "asd.parquet", cues=tmp_path / "cues.parquet",
                               layout_json=tmp_path / "layout.json", media_json=media, output=tmp_path / "sp.parquet")
    assert [u.speaker for u in read_speakers(tmp_path / "sp.parquet", session="s")] == [None, "p00", None]


def test_teams_like_1080p_tile_names_attribute_named_cues(tmp_path):
    """The issue's new-user case without the model: a Teams-like 1920x1080 gallery whose transcript names
    the speaker of every cue (`Name: text`). The layout stage reads the tile names (OCR), and the speakers
    stage gives every cue to the tile showing that name, with no ASD evidence at all."""
    from ocr_support import ensure_tesseract

    from engage.contract import Layout, write_layout as write_layout_doc
    from engage.layout import detect_layout, tile_iou
    from engage.synth import make_gallery

    ensure_tesseract()
    video = tmp_path / "gallery.mp4"
    truth = make_gallery(video, size=(1920, 1080), n_tiles=4, duration=4.0, style="teams", seed=5)
    doc = detect_layout(video, session="s", width=1920, height=1080, duration=4.0)
    write_layout_doc(tmp_path / "layout.json", Layout.from_json(doc))
    tiles = truth["spans"][0]["tiles"]
    detected = {t["id"]: max(doc["spans"][0]["tiles"], key=lambda d: tile_iou(t, d))["id"] for t in tiles}
    lines = ["WEBVTT", ""]
    for k, t in enumerate(tiles):
        lines += [f"00:00:0{k}.100 --> 00:00:0{k}.900", f"{t['name']}: my turn number {k + 1}", ""]
    (tmp_path / "transcript.vtt").write_text("\n".join(lines))
    media = _media(tmp_path / "media.json", duration=4.0)
    write_cues_session(session="s", transcript=tmp_path / "transcript.vtt", media_json=media, output=tmp_path / "cues.parquet")
    ASD.write(tmp_path / "asd.parquet", ASD.from_rows([]))  # no ASD evidence: names alone decide
    attribute_speakers_session(session="s", asd=tmp_path / "asd.parquet", cues=tmp_path / "cues.parquet",
                               layout_json=tmp_path / "layout.json", media_json=media, output=tmp_path / "sp.parquet")
    rows = read_speakers(tmp_path / "sp.parquet", session="s")
    assert [(u.speaker, u.speaker_source) for u in rows] == [(detected[t["id"]], "name") for t in tiles]
