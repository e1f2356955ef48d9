"""The second name recogniser (engage.layout.scene_text, PP-OCRv4) and the rules for its names
(engage.layout.names.NameReader._second_opinion): more names on small labels, never a wrong one."""

from __future__ import annotations

import numpy as np
import pytest

from engage.errors import ConfigError
from engage.layout import detect_layout
from engage.layout.names import NameReader, _Line, _unglue_tags
from engage.layout.ocr import Word
from engage.layout.scene_text import MODEL, MODEL_SHA256, SceneTextReader, scene_text_reader
from engage.synth import make_gallery

from ocr_support import ensure_tesseract
from test_layout_names import _check_names


@pytest.fixture(scope="module", autouse=True)
def tesseract():
    ensure_tesseract()


def _rendered(text: str, height: int, *, light_on_dark: bool) -> np.ndarray:
    """A grey line of text in one of the synthetic meeting styles' fonts, ``height`` px letters."""
    from PIL import Image, ImageDraw, ImageFont

    from engage.synth.labels import STYLES, style_font

    font = ImageFont.truetype(style_font(STYLES["zoom"]), height)
    w = int(font.getlength(text)) + 2 * height
    img = Image.new("L", (w, 2 * height), 40 if light_on_dark else 235)
    ImageDraw.Draw(img).text((height, height // 3), text, fill=245 if light_on_dark else 30, font=font)
    return np.asarray(img)


# -- the recogniser itself (the real, shipped model) ----------------------------------------------

@pytest.mark.parametrize("text,height,light", [("Priya Raman", 16, True), ("Oluwaseun Adeyemi", 12, False),
                                               ("Lea Fischer", 9, True)])
def test_the_shipped_recogniser_reads_a_name_line(text, height, light):
    words = scene_text_reader().read(_rendered(text, height, light_on_dark=light))
    assert " ".join(w.text for w in words) == text
    assert all(0 < w.conf <= 100 for w in words)
    # word boxes lie in order within the image
    assert [w.box[0] for w in words] == sorted(w.box[0] for w in words)
    assert all(0 <= w.box[0] < w.box[2] for w in words)


def test_a_blank_line_reads_nothing():
    assert scene_text_reader().read(np.full((24, 120), 128, np.uint8)) == []
    assert scene_text_reader().read(np.zeros((1, 50), np.uint8)) == []


def test_missing_or_different_weights_say_which_file_to_put_where(tmp_path):
    with pytest.raises(ConfigError, match=r"put the file at .*nothing\.onnx.*layout\.names_recogniser"):
        SceneTextReader(tmp_path / "nothing.onnx")
    other = tmp_path / "other.onnx"
    other.write_bytes(MODEL.read_bytes()[:1000])
    with pytest.raises(ConfigError, match="sha256"):
        SceneTextReader(other, MODEL_SHA256)


# -- the rules for a second-opinion name (scripted readings) --------------------------------------

class Scripted:
    """A stand-in recogniser: reads the scripted texts in turn (one per call), records the crops."""

    def __init__(self, *texts, conf=90.0):
        self.texts = list(texts)
        self.conf = conf
        self.crops = []

    def read(self, image):
        self.crops.append(image.shape)
        text = self.texts[min(len(self.crops) - 1, len(self.texts) - 1)]
        return [Word(t, self.conf, (10 * k, 0, 10 * k + 8, image.shape[0])) for k, t in enumerate(text.split())]


def _line(x0=20, x1=120, y0=10, y1=20) -> _Line:
    # letters of 10 px along the box; the last "letter" may be tested as a mark of another colour
    comps = [(x, y0, x + 8, y1, 1, 0) for x in range(x0, x1 - 7, 10)]
    return _Line(comps, 1)


def _samples(n=3) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (n, 30, 200)).astype(np.uint8)  # distinct samples (other pixels)


def _second(*texts, others=(), sure=(), off_ends=None, samples=3, picture=""):
    rec = Scripted(*texts)
    reader = NameReader(reader=Scripted(picture), second=rec)  # Tesseract's picture view reads ``picture``
    return reader._second_opinion(_line(), _samples(samples), list(others), list(sure), off_ends), rec


def test_a_name_both_views_of_three_samples_read_alike_counts():
    res, rec = _second("Mei Chen")
    assert res.name == "Mei Chen" and 0 < res.confidence < 0.9  # below a voted Tesseract name
    assert len(rec.crops) == 6  # two views of each of three samples
    # the line's box (x 20-118, 10 px letters) widened by 0.5 letters and stretched 1.5x sideways, and
    # widened by 1.5 letters as it is; both 0.35 letters above and below
    assert abs(rec.crops[0][1] - 1.5 * 109) <= 1 and rec.crops[1][1] == 129
    assert rec.crops[0][0] == rec.crops[1][0] == 18


def test_a_letter_read_two_ways_is_no_name():
    res, rec = _second("Mateo Alvarez", "Mateo Avarez")
    assert res.name is None
    assert len(rec.crops) == 2  # stopped after the first sample: no name can come of it


def test_too_few_samples_or_too_many_unsure_readings_are_no_name():
    assert _second("Mei Chen", samples=2)[0].name is None  # two samples: a still label's repeated misreading
    assert _second("Mei Chen", "?? ??", "?? ??", "Mei Chen")[0].name is None  # 4 of 6 readings only


def test_a_missing_space_counts_for_the_letters_not_the_spelling():
    assert _second("MeiChen")[0].name is None  # never the space: not the display name
    assert _second("MeiChen", "Mei Chen")[0].name == "Mei Chen"


def test_tesseract_contradicting_it_makes_no_name():
    # a word Tesseract was sure of, one letter away
    assert _second("Tariq Aziz", sure=["Tarig"])[0].name is None
    # a reading with a letter more (the recogniser lost it), or holding the name as a part (a line cut short)
    assert _second("Isabela Costa", others=["Isabella Costa"])[0].name is None
    assert _second("Isabella", others=["Isabella Costa"])[0].name is None
    # Tesseract's garbage near nothing of it does not refute it
    assert _second("Tom Becker", sure=["OT)", "he"])[0].name == "Tom Becker"
    # Tesseract reading the picture of the line with a word one letter off, in two samples
    assert _second("Tariq Aziz", picture="Tarig Aziz")[0].name is None
    assert _second("Tariq Aziz", picture="Tariq Aziz")[0].name == "Tariq Aziz"


def test_both_engines_agreeing_letter_for_letter_need_fewer_readings():
    texts = ("Grace Okafor", "Grace Okafop#", "Grace Okafor", "Grace Okafor", "?? ??", "Grace Okafor")
    assert _second(*texts)[0].name is None  # 4 of 6 alone: not enough
    assert _second(*texts, others=["Grace Okafor"])[0].name == "Grace Okafor"  # Tesseract read it too (unsure)


def test_a_glued_role_tag_goes_like_a_spaced_one():
    words = _unglue_tags([Word("Costa(Co-host)", 80.0, (0, 0, 140, 20))])
    assert [w.text for w in words] == ["Costa", "(Co-host)"]
    assert words[0].box[2] == words[1].box[0] == 50
    assert _second("Isabella Costa(Co-host)", "Isabella Costa (Co-host)")[0].name == "Isabella Costa"


def test_a_line_ending_in_a_mark_of_another_colour_is_read_with_and_without_it():
    res, rec = _second("Arjun Mehta", off_ends=(False, True))
    assert res.name == "Arjun Mehta"
    # the narrow view stops where the mark starts (x 110 of the line's 20-118), the wide one holds it
    assert abs(rec.crops[0][1] - 1.5 * (110 - 15)) <= 1
    assert rec.crops[1][1] == 129
    # the recogniser reading the mark as a letter in the wide view: no name
    assert _second("Arjun Mehta", "Arjun Mehtal", off_ends=(False, True))[0].name is None


# -- on a rendered gallery -------------------------------------------------------------------------

def test_small_labels_get_more_names_and_no_wrong_one(tmp_path):
    """360p, 9 tiles: labels of 7-9 px, where Tesseract alone reads about half of them."""
    path = tmp_path / "small.mp4"
    truth = make_gallery(path, size=(640, 360), n_tiles=9, aspect=4 / 3, duration=4.0, seed=3)
    kw = dict(session="t", width=640, height=360, duration=4.0)
    alone = _check_names(truth, detect_layout(path, names_recogniser=None, **kw))
    both = _check_names(truth, detect_layout(path, **kw))
    assert alone[2] == both[2] == 0  # never a wrong name
    assert both[0] > alone[0], (alone, both)


def test_a_small_name_tesseract_voted_for_is_refused_when_the_second_recogniser_reads_a_letter_otherwise():
    def refutes(text, conf=90.0):
        reader = NameReader(reader=Scripted(""), second=Scripted(text, conf=conf))
        return reader._second_refutes("Maya Gokiberg", _samples(), _line(), 0)

    assert refutes("Maya Goldberg") is True  # "Gokiberg" for a 10 px "Goldberg": the engines disagree
    assert refutes("MayaGoldberg") is True  # a missing space does not hide the word
    assert refutes("Maya Gokiberg") is False
    assert refutes("Maya Goldberg", conf=30.0) is False  # an unsure word says nothing
    assert refutes("Maya Gokiberg (Host)") is False
