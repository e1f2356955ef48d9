"""Tile names read by OCR (engage.layout.names), names as identity evidence, and non-gallery recordings."""

from __future__ import annotations

import numpy as np
import pytest

from engage.errors import SessionError
from engage.naming import normalize_name, strip_role_tags
from engage.layout import detect_layout, tile_iou
from engage.layout.identity import assign_ids
from engage.layout.names import (NameRead, NameReader, _box_edge, _drop_icons, _extend, _Line, _off_colour_end, _trim_box, _unanimous,
                                 _vote, clean_reading, ink_runs)
from engage.layout.ocr import OcrUnavailable, Word
from engage.layout.spans import ClosedSpan
from engage.synth import default_sources, make_gallery, make_single

from conftest import DATA
from ocr_support import ensure_tesseract


@pytest.fixture(scope="module", autouse=True)
def tesseract():
    ensure_tesseract()


def _words(*pairs, x0=10, step=60):
    return [Word(t, c, (x0 + k * step, 0, x0 + k * step + 50, 20)) for k, (t, c) in enumerate(pairs)]


# -- reading rules (no OCR) -------------------------------------------------------------------

def test_role_tags_and_pronouns_are_not_part_of_the_name():
    assert strip_role_tags("Priya Raman (Host)") == "Priya Raman"
    assert strip_role_tags("Mei Chen (she/her)") == "Mei Chen"
    assert normalize_name("Tom  Becker (he / him) (Co-host)") == "tom becker"
    assert clean_reading(_words(("Lukas", 95), ("Novak", 95), ("Co", 93), ("host", 94)))[0] == "Lukas Novak"
    # a small "(Co-host)" garbled in parentheses is still the tag; a name's own word is not
    assert clean_reading(_words(("Isabella", 90), ("Costa", 93), ("(@o0-host)", 56)))[0] == "Isabella Costa"
    assert clean_reading(_words(("Isabella", 90), ("Costa", 93), ("Hoste", 90)))[0] == "Isabella Costa Hoste"


def test_unsure_symbol_or_cut_readings_give_no_name():
    assert clean_reading(_words(("Priya", 96), ("Raman", 96)))[0] == "Priya Raman"
    assert clean_reading(_words(("®", 30), ("Priya", 96), ("Raman", 96)))[0] == "Priya Raman"  # a read icon
    assert clean_reading(_words(("Priya", 96), ("Rarnan", 60)))[0] is None  # one unsure word: not part of it
    assert clean_reading(_words(("Alexandra", 95), ("Konst...", 90)))[0] is None  # cut by the tool
    assert clean_reading(_words(("Pate!", 95)))[0] is None  # not a name's characters
    # words that leave part of the ink unread (Tesseract skipped letters): part of a name is wrong
    words = [Word("Mate", 95, (10, 0, 60, 20)), Word("eZ", 95, (160, 0, 190, 20))]
    assert clean_reading(words, ink=[(10, 60), (90, 130), (160, 190)], line_h=20)[0] is None
    assert clean_reading(words, ink=[(10, 60), (160, 200)], line_h=20)[0] is None  # the end unread
    # a wide blank gap between words is a word space, and Tesseract's boxes only roughly hold
    # their letters (the "C" of "Chen" starts before its box): every run near a word is read
    words = [Word("Mei", 96, (25, 0, 108, 20)), Word("Chen", 96, (146, 0, 263, 20))]
    assert clean_reading(words, ink=[(25, 61), (68, 108), (133, 165), (173, 262)], line_h=40)[0] == "Mei Chen"


def test_ink_runs_are_the_inked_columns():
    img = np.full((10, 30), 255, np.uint8)
    img[2:8, 3:6] = 0
    img[4:6, 9:20] = 40
    assert ink_runs(img) == [(3, 6), (9, 20)]


def _mark(x0, y0, x1, y1, k=0):
    return (x0, y0, x1, y1, k, 0)


# letters on a baseline at y=20: x-height 7, capitals and ascenders 10
_JAKOWA = [_mark(0, 10, 4, 23, 1), _mark(5, 13, 11, 20, 2), _mark(16, 10, 22, 20, 3), _mark(23, 13, 29, 20, 4),
           _mark(30, 10, 36, 20, 5), _mark(42, 13, 48, 20, 6), _mark(49, 13, 57, 20, 7), _mark(58, 13, 64, 20, 8)]


def test_icons_go_but_a_word_with_a_descender_stays():
    icon = _mark(75, 8, 89, 23, 9)  # a mic after the name: square, above the letters and below their baseline
    kept = _drop_icons(_Line(_JAKOWA + [icon], 1)).comps
    assert sorted(kept) == sorted(_JAKOWA)  # "Ja" (the "J" below the baseline) is as tall as the icon


def test_a_thin_letter_at_the_end_of_a_line_joins_it_a_box_edge_does_not():
    ross = [_mark(0, 10, 6, 20, 1), _mark(7, 13, 13, 20, 2), _mark(14, 13, 19, 20, 3), _mark(20, 13, 25, 20, 4)]
    for extra in ([_mark(28, 14, 29, 20, 5), _mark(28, 11, 29, 12, 6)],  # an "i" with its dot
                  [_mark(28, 13, 29, 20, 5)]):  # an "i" whose dot is lost, standing on the baseline
        line = _Line(list(ross), 1)
        _extend(line, extra)
        assert extra[0] in line.comps
    line = _Line(list(ross), 1)
    # a piece of the label box's edge, below the baseline: left out, and the line's end in doubt
    assert _extend(line, [_mark(28, 11, 29, 22, 5)]) is True
    assert line.comps == ross


def test_a_mark_beyond_the_label_box_is_the_picture_beyond_a_picture_edge_a_doubt():
    # the letters of the line at rows 30-40 (as in the bottom band of a tile)
    ross = [_mark(0, 30, 6, 40, 1), _mark(7, 33, 13, 40, 2), _mark(14, 33, 19, 40, 3), _mark(20, 33, 25, 40, 4)]
    beyond = _mark(29, 32, 34, 43, 5)  # a bright piece of the wall right after the box (white text)
    box = np.full((60, 60), 200.0)
    box[25:46, :28] = 40.0  # the dark translucent box ends at x=28
    rows, above = np.arange(28, 42), np.arange(16, 20)
    assert _box_edge(box, 25, 29, rows, above, 1, 1) == "box"
    assert _box_edge(box, 25, 29, rows, above, 1, -1) is None  # dark text: a light box, not this step
    picture = np.full((60, 60), 200.0)
    picture[:, :28] = 40.0  # a door frame: the step goes on above
    assert _box_edge(picture, 25, 29, rows, above, 1, 1) == "edge"
    line = _Line(list(ross), 1)
    assert _extend(line, [beyond], box) is False and line.comps == ross  # left out, no doubt
    line = _Line(list(ross), 1)
    assert _extend(line, [beyond], picture) is True and line.comps == ross  # may be a letter: not read
    line = _Line(list(ross), 1)
    assert _extend(line, [beyond], np.full((60, 60), 40.0)) is False and beyond in line.comps
    # the same piece of the picture found among the line's own marks goes; beyond a picture edge it stays
    line = _Line(ross + [beyond], 1)
    assert _trim_box(line, box, []) is False and line.comps == ross
    line = _Line(ross + [beyond], 1)
    assert _trim_box(line, picture, []) is False and sorted(line.comps) == sorted(ross + [beyond])
    # an "i" right on the box's edge (a box too tight for its text): the line's end is in doubt
    assert _trim_box(_Line(ross + [_mark(29, 33, 30, 40, 6)], 1), box, [_mark(29, 31, 30, 32, 7)]) is True


def _painted_line(marks_levels):
    """A line of rectangular marks, each painted with (most pixels, its brightest pixel) grey levels."""
    labels = np.zeros((40, 120), np.int32)
    level = np.zeros((40, 120), np.float32)
    comps = []
    for k, ((x0, y0, x1, y1), (body, peak)) in enumerate(marks_levels, 1):
        labels[y0:y1, x0:x1] = k
        level[y0:y1, x0:x1] = body
        level[(y0 + y1) // 2, (x0 + x1) // 2] = peak
        comps.append(_mark(x0, y0, x1, y1, k))
    return _Line(comps, 1, (labels, labels)), level


def test_a_dull_mark_at_the_end_is_the_picture_a_small_letter_is_not():
    letters = [((10 * k, 10, 10 * k + 7, 20), (250, 255)) for k in range(1, 6)]
    # a piece of a light door at the end of a translucent box: dull, and never as bright as the text
    line, level = _painted_line(letters + [((60, 11, 68, 19), (215, 228))])
    assert _off_colour_end(line, level) is True
    # a small letter ("J" at 10 px): anti-aliased over most of its pixels, but its stroke's core is white
    line, level = _painted_line([((0, 10, 6, 20), (220, 250))] + letters)
    assert _off_colour_end(line, level) is False
    line, level = _painted_line(letters)
    assert _off_colour_end(line, level) is False


def test_unsure_names_count_only_when_every_view_of_three_samples_reads_them_alike():
    # readings: (name or None, Tesseract's mean confidence, view, sample), without the confidence bars
    isabella = [("Isabella Costa", c, v, k) for k, (c0, c1) in enumerate([(87, 80), (94, 83), (94, 56)])
                for v, c in ((0, c0), (1, c1))]
    r = _unanimous(isabella, centred=False)
    assert r.name == "Isabella Costa" and 0 < r.confidence < 0.9  # less sure than a voted name
    assert _unanimous(isabella[:4], centred=False) is None  # two samples only: a still label's repeated misreading
    assert _unanimous([(t, c, 0, k) for t, c, _v, k in isabella], centred=False) is None  # one view only
    other = isabella[:5] + [("Isabella Costo", 90, 1, 2)]
    assert _unanimous(other, centred=False) is None  # one letter read another way
    assert _unanimous(isabella[:5] + [(None, 0.0, 1, 2)], centred=False) is None  # one sample unread
    assert _unanimous(isabella, centred=False, words=["Isabela"]) is None  # a confident word says otherwise
    assert _unanimous([("PR", 60, v, k) for k in range(3) for v in (0, 1)], centred=True) is None  # initials


def test_vote_needs_two_views_or_three_samples_and_refuses_initials_in_the_middle():
    # readings are (name or None, confidence, view): view 0 masked at one size, view 1 at 1.6x
    assert _vote([("Priya Raman", 95, 0), ("Priya Raman", 96, 1)], centred=False).name == "Priya Raman"
    assert _vote([("Priya Raman", 95, 0)], centred=False).name is None  # one reading is no vote
    # the same view of two samples of a still label repeats Tesseract's confident mistake ("Tarig")
    assert _vote([("Tarig Aziz", 95, 0), (None, 0.0, 1), ("Tarig Aziz", 95, 0), (None, 0.0, 1)],
                 centred=False).name is None
    assert _vote([("Ann Vogt", 95, 0), (None, 0.0, 1)] * 3, centred=False).name == "Ann Vogt"  # three samples
    assert _vote([("Prrya Raman", 90, 0), ("Priya Raman", 95, 1), ("Prrya Raman", 90, 0)], centred=False).name is None
    # a letter read two ways is not sure either way, however many readings agree ("Tanake" was wrong)
    assert _vote([("Yuki Tanake", 95, 0), ("Yuki Tanake", 95, 1), ("Yuki Tanake", 95, 0), ("Yuki Tanaka", 90, 1)],
                 centred=False).name is None
    # a confident word of a reading left out (for another, unsure word) counts against the name
    tarig = [("Tarig Aziz", 92, 0), (None, 0.0, 1), ("Tarig Aziz", 91, 0), ("Tarig Aziz", 84, 1)]
    assert _vote(tarig, centred=False).name == "Tarig Aziz"
    assert _vote(tarig, centred=False, words=["Tarig", "Aziz", "Tariq", "Tarig", "Aziz"]).name is None
    assert _vote(tarig, centred=False, words=["Tarig", "Host", "Co", "Al", "Aziz"]).name == "Tarig Aziz"
    # a speck read as an apostrophe in one reading is outvoted: the letters agree
    assert _vote([("Aisha Khan", 95, 0), ("Aisha Khan", 95, 1), ("Aisha Khan", 95, 0), ("Aisha Khan’", 90, 1)],
                 centred=False).name == "Aisha Khan"
    assert _vote([("PR", 95, 0), ("PR", 95, 1)], centred=True).name is None  # initials in a circle
    r = _vote([("Tom Becker", 96, 0), ("Tom Becker", 94, 1), (None, 0.0, 0)], centred=False)
    assert r.name == "Tom Becker" and 0 < r.confidence < 0.96
    # the view of the line as it is reads a letter more ("Diego", unsure) than three confident readings of
    # its marks, which lost the "g": part of a name is a wrong name; a letter read another way unsure is not
    diego = [("Die o Herrera", 93, 0), (None, 0.0, 1)] * 3
    assert _vote(diego, centred=False).name == "Die o Herrera"
    assert _vote(diego, centred=False, lines=["Die o Herrera", "Diego Herrera"]).name is None
    assert _vote(diego, centred=False, lines=["Die o Herrara"]).name == "Die o Herrera"


class _Reads:
    """A stand-in Tesseract that reads the picture views as given, one text per call (the stroke views
    are not read here)."""

    def __init__(self, *texts):
        self.texts, self.images = list(texts), []

    def read(self, img):
        self.images.append(img)
        return _words(*[(w, 40.0) for w in self.texts[len(self.images) - 1].split()])


def test_an_unsure_name_is_refuted_by_the_picture_read_another_way_twice():
    greys = np.full((3, 30, 120), 200, np.uint8)
    greys[:, 10:20, 10:100] = 30  # dark "text" on a light ground
    for texts, refuted in ((("Maya Goldberg", "Goldberg"), True), (("Maya Gokiberg", "Maya Gokiberg"), False),
                           (("noise |", "Maya"), False),
                           (("Maya Goldberg", "Maya Gokiberg"), False)):  # once: the picture behind the text
        tess = _Reads(*texts, "Maya Goldberg")
        assert NameReader(tess)._picture_refutes("Maya Gokiberg", greys, (0, 0, 120, 30), -1, 2.0, [0, 2]) is refuted
        assert len(tess.images) == 2  # one view per distinct sample
        assert tess.images[0].shape[0] > 2 * 30 and tess.images[0].min() == 0  # upscaled, stretched


def test_two_people_one_dark_on_the_dark_gutter_both_found_exactly(tmp_path):
    """Two people and a dark picture on the dark gutter: only the bright tile's edges show, no pitch can be
    measured from one tile, and the dark tile was missed (or the whole frame became one tile). A centred
    gallery puts the other tile at the mirror of the first; its snapped edges do not run into the first."""
    path = tmp_path / "two.mp4"  # the second person sits before a dark wooden wall
    truth = make_gallery(path, size=(1280, 720), n_tiles=2, duration=8.0, seed=7)
    doc = detect_layout(path, session="t", width=1280, height=720, duration=8.0)
    assert len(doc["spans"]) == 1 and len(doc["spans"][0]["tiles"]) == 2
    for t in truth["spans"][0]["tiles"]:
        best = max(doc["spans"][0]["tiles"], key=lambda d: tile_iou(t, d))
        assert tile_iou(t, best) >= 0.98, (t, best)


# -- names as identity evidence (hand-built spans) ----------------------------------------------

def _span(levels, camera_on=None, t=0.0):
    sigs = [np.full(8 * 8 * 3, v, np.float32) for v in levels]
    return ClosedSpan(rects=[(10 * i, 0, 8, 8) for i in range(len(levels))], t_first=t, t_last=t + 1,
                      camera_on=camera_on or [True] * len(levels), sig_start=sigs, sig_end=sigs)


def test_a_rejoin_with_another_picture_keeps_the_id_by_name():
    spans = [_span([10, 60, 110, 160]), _span([10, 60, 110], t=5), _span([10, 60, 110, 240], t=10)]
    names = [["ann", "bo", "cy", "dee"], ["ann", "bo", "cy"], ["ann", "bo", "cy", "dee"]]
    assert assign_ids(spans, max_distance=30, rejoin_max_distance=12, names=names)[2][3] == "p03"
    # the picture alone says a new person
    assert assign_ids(spans, max_distance=30, rejoin_max_distance=12)[2][3] == "p04"


def test_names_bind_and_separate_across_a_reflow():
    # dee's picture changed beyond id_max_distance but the name binds; bo and cy look alike and
    # swap places: their names keep them apart
    spans = [_span([10, 60, 62, 160]), _span([62, 60, 10, 250], t=5)]
    names = [["ann", "bo", "cy", "dee"], ["bo", "cy", "ann", "dee"]]
    assert assign_ids(spans, max_distance=30, names=names)[1] == ["p01", "p02", "p00", "p03"]


def test_camera_off_people_rejoin_by_name_only_when_the_name_is_unique():
    off = [True, True, False]
    spans = [_span([10, 60, 35], off), _span([10, 60], t=5), _span([10, 60, 35], off, t=10)]
    assert assign_ids(spans, max_distance=30, rejoin_max_distance=12,
                      names=[["a", "b", "c"], ["a", "b"], ["a", "b", "c"]])[2][2] == "p02"
    same = [["a", "b", "ipad"], ["a", "b"], ["ipad", "b", "ipad"]]  # "ipad" twice in the span: no evidence
    assert assign_ids(spans, max_distance=30, rejoin_max_distance=12, names=same)[2][2] == "p03"


# -- OCR on rendered galleries --------------------------------------------------------------------

def _check_names(truth, doc):
    """(camera-on tiles whose shown name was read exactly, camera-on tiles showing one, wrong names)."""
    exact = shown = wrong = 0
    for tspan, dspan in zip(truth["spans"], doc["spans"]):
        for t in tspan["tiles"]:
            best = max(dspan["tiles"], key=lambda d: tile_iou(t, d))
            assert tile_iou(t, best) >= 0.98, (t, best)  # exact pixel edges
            got = best["name"]
            assert (got is None) == (best["name_confidence"] is None)
            if got is not None and (not t["name_shown"] or normalize_name(got) != normalize_name(t["name"])):
                wrong += 1
            if t["camera_on"] and t["name_shown"]:
                shown += 1
                exact += normalize_name(got) == normalize_name(t["name"])
    return exact, shown, wrong


@pytest.mark.parametrize("style,kw", [
    ("zoom", dict(camera_off=(2,))),  # camera-off: the full name centred (and the label)
    ("teams", dict(camera_off=(4,))),  # light theme, dark text on a light box, mic-off and pin icons
    ("meet", dict()),  # white text with a soft shadow, no box
])
def test_names_are_read_in_every_style(tmp_path, style, kw):
    path = tmp_path / f"{style}.mp4"
    truth = make_gallery(path, size=(1280, 720), n_tiles=6, duration=6.0, style=style, seed=3, **kw)
    doc = detect_layout(path, session="t", width=1280, height=720, duration=6.0)
    exact, shown, wrong = _check_names(truth, doc)
    assert wrong == 0
    assert exact >= shown - 1, (exact, shown, [[t["name"] for t in s["tiles"]] for s in doc["spans"]])
    tiles = doc["spans"][0]["tiles"]
    assert all(0 < t["name_confidence"] <= 1 for t in tiles if t["name"])
    if style == "zoom":
        assert any(t["name"] == "Priya Raman" for t in tiles)  # "(Host)" dropped


def test_camera_off_tiles_centred_name_read_initials_not(tmp_path):
    """Without a bottom label, a Zoom camera-off tile's centred name is read; Teams' initials are not a name."""
    z = make_gallery(tmp_path / "z.mp4", size=(1280, 720), n_tiles=4, duration=5.0, camera_off=(1,),
                     label_camera_off=False, seed=3)
    t = make_gallery(tmp_path / "t.mp4", size=(1280, 720), n_tiles=4, duration=5.0, camera_off=(1, 2),
                     label_camera_off=False, style="teams", seed=3)
    for truth, path in ((z, tmp_path / "z.mp4"), (t, tmp_path / "t.mp4")):
        doc = detect_layout(path, session="t", width=1280, height=720, duration=5.0)
        by_id = {d["id"]: d for d in doc["spans"][0]["tiles"]}
        if truth is z:
            assert normalize_name(by_id["p01"]["name"]) == "tom becker"
        else:
            assert by_id["p01"]["name"] is None and by_id["p02"]["name"] is None  # "TB", "MC" in circles
            assert by_id["p01"]["camera_on"] is False


def test_rejoin_with_a_changed_picture_keeps_the_id(tmp_path):
    """4 -> 3 -> 4: the fourth person comes back with another camera (another picture, same name)."""
    other = str(DATA / "video" / "action_v_GGSY1Qvo990.mp4")
    path = tmp_path / "rejoin.mp4"
    truth = make_gallery(path, size=(1280, 720), n_tiles=4, duration=15.0, changes=[(5.0, 3), (10.0, 4)],
                         picture_changes=[(10.0, 3, other)], seed=3)
    doc = detect_layout(path, session="t", width=1280, height=720, duration=15.0)
    assert [len(s["tiles"]) for s in doc["spans"]] == [4, 3, 4]
    for tspan, dspan in zip(truth["spans"], doc["spans"]):
        for t in tspan["tiles"]:
            best = max(dspan["tiles"], key=lambda d: tile_iou(t, d))
            assert best["id"] == t["id"], (tspan["start"], t["id"], best["id"], best["name"])
    back = next(d for d in doc["spans"][2]["tiles"] if d["id"] == "p03")
    assert normalize_name(back["name"]) == "oluwaseun adeyemi"
    # the thumbnails alone call the returning person someone new
    plain = detect_layout(path, session="t", width=1280, height=720, duration=15.0, names=False)
    assert sorted(d["id"] for d in plain["spans"][2]["tiles"]) == ["p00", "p01", "p02", "p04"]
    assert all(d["name"] is None for s in plain["spans"] for d in s["tiles"])


def test_a_session_without_readable_names_is_as_before(demo_video):
    """The sample gallery shows no names: names are null, and ids, rectangles and spans are the same
    as with name reading off."""
    from engage.media.probe import probe_media

    info = probe_media(demo_video)
    kw = dict(session="demo", width=info["width"], height=info["height"], duration=info["duration"])
    doc = detect_layout(demo_video, **kw)
    plain = detect_layout(demo_video, names=False, **kw)
    assert all(t["name"] is None and t["name_confidence"] is None for s in doc["spans"] for t in s["tiles"])
    assert doc == plain


def test_missing_ocr_data_is_one_clear_line(monkeypatch, demo_video):
    import engage.layout.ocr as ocr

    def missing(lang="eng"):
        raise OcrUnavailable("Tesseract language data 'eng.traineddata' not found: " + ocr.INSTALL_HINT)

    monkeypatch.setattr(ocr, "tessdata_dir", missing)
    ocr.line_reader.cache_clear()
    try:
        with pytest.raises(SessionError, match="tesseract-ocr-eng") as err:
            detect_layout(demo_video, session="demo", width=640, height=480, duration=16.0)
        assert "\n" not in str(err.value)
    finally:
        ocr.line_reader.cache_clear()


# -- recordings that are not a gallery ----------------------------------------------------------

@pytest.mark.parametrize("size,source", [((360, 640), "talking_AOC.mp4"), ((360, 640), "silent_single_face.mp4"),
                                         ((1280, 720), "silent_WolfgangLanger.mp4")])
def test_a_single_person_recording_is_one_tile_of_the_whole_picture(tmp_path, size, source):
    """A portrait phone video (360x640) was cut into two "tiles" along the flag's stripes (the face
    split); someone's own webcam video likewise. Not a grid: one tile, the whole frame."""
    path = tmp_path / "single.mp4"
    make_single(path, size=size, duration=8.0, source=DATA / "video" / source)
    doc = detect_layout(path, session="t", width=size[0], height=size[1], duration=8.0)
    assert [len(s["tiles"]) for s in doc["spans"]] == [1], doc["spans"]
    t = doc["spans"][0]["tiles"][0]
    assert (t["x"], t["y"], t["w"], t["h"]) == (0, 0, *size)
    assert t["camera_on"] is True


def test_dark_pictures_on_a_dark_gutter_get_exact_edges(tmp_path):
    """Every other person sits in a dim room on the dark gutter: before, one edge of such tiles was off
    by 5-8 px (IoU 0.96). Snapped on full-resolution frames (gutter runs, the grid's size and gap),
    every tile reaches IoU >= 0.98."""
    from engage.synth import make_dark_clip

    srcs = [make_dark_clip(s, tmp_path / f"dark_{k}.mp4") if k % 2 == 0 else s for k, s in enumerate(default_sources())]
    path = tmp_path / "dark.mp4"
    truth = make_gallery(path, size=(1280, 720), n_tiles=9, duration=6.0, sources=srcs, seed=3)
    doc = detect_layout(path, session="t", width=1280, height=720, duration=6.0)
    assert len(doc["spans"]) == 1 and len(doc["spans"][0]["tiles"]) == 9
    for t in truth["spans"][0]["tiles"]:
        best = max(doc["spans"][0]["tiles"], key=lambda d: tile_iou(t, d))
        assert tile_iou(t, best) >= 0.98, (t, best)
