"""Read one line of text with Tesseract, in-process (tesserocr), offline.

Why tesserocr: it links libtesseract (its wheel bundles Tesseract 5.5) and keeps one initialised
engine for the whole stage: about 6 ms per name label, where pytesseract starts a ``tesseract``
process for every call (about 120 ms each, 20x more). The language data comes from the system
(Debian: ``apt-get install tesseract-ocr tesseract-ocr-eng``, which ./pipeline.sh installs like
ffmpeg); nothing is downloaded at run time.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Where distributions put ``eng.traineddata`` (the first with the file wins; TESSDATA_PREFIX first).
TESSDATA_GLOBS = ("/usr/share/tesseract-ocr/*/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata",
                  "/usr/local/share/tesseract-ocr/*/tessdata", "/opt/homebrew/share/tessdata")
INSTALL_HINT = ("install Tesseract's English data (Debian/Ubuntu: apt-get install -y tesseract-ocr tesseract-ocr-eng; "
                "./pipeline.sh does it when run as root) or set layout: {names: false}")


class OcrUnavailable(RuntimeError):
    """The OCR engine or its language data is missing (the message says what to install)."""


@dataclass(frozen=True)
class Word:
    """One recognised word: text, Tesseract's confidence (0-100) and box ``(x0, y0, x1, y1)``."""

    text: str
    conf: float
    box: tuple[int, int, int, int]


def tessdata_dir(lang: str = "eng") -> str:
    """The folder holding ``<lang>.traineddata`` (TESSDATA_PREFIX, else the usual system places)."""
    cands = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    if os.environ.get("CONDA_PREFIX"):  # conda-forge's tesseract (envs/core.yaml under --use-conda)
        cands.append(os.path.join(os.environ["CONDA_PREFIX"], "share", "tessdata"))
    for pattern in TESSDATA_GLOBS:
        cands += sorted(glob.glob(pattern), reverse=True)  # newest version folder first
    for d in cands:
        if os.path.isfile(os.path.join(d, f"{lang}.traineddata")):
            return d
    raise OcrUnavailable(f"Tesseract language data '{lang}.traineddata' not found "
                         f"(looked in {', '.join(cands) or 'TESSDATA_PREFIX and ' + ', '.join(TESSDATA_GLOBS)}): "
                         + INSTALL_HINT)


class LineReader:
    """A Tesseract engine set up for single text lines (page segmentation mode 7)."""

    def __init__(self, lang: str = "eng"):
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tiny images: threads cost more than they give
        try:
            import tesserocr
        except ImportError as exc:  # pragma: no cover - the lock file installs it
            raise OcrUnavailable(f"the Python package tesserocr is not installed ({exc}); ./pipeline.sh installs it") from exc
        self._t = tesserocr
        path = tessdata_dir(lang)
        # Names are not dictionary words: without the word lists Tesseract does not bend
        # "Adeyemi" towards English words.
        self.api = tesserocr.PyTessBaseAPI(path=path.rstrip("/") + "/", lang=lang, psm=tesserocr.PSM.SINGLE_LINE,
                                           oem=tesserocr.OEM.LSTM_ONLY,
                                           variables={"load_system_dawg": "0", "load_freq_dawg": "0"})

    def read(self, image: np.ndarray) -> list[Word]:
        """Words of a grey image (uint8, dark text on a light background, one line)."""
        img = np.ascontiguousarray(image, dtype=np.uint8)
        h, w = img.shape
        api = self.api
        api.SetImageBytes(img.tobytes(), w, h, 1, w)
        api.SetSourceResolution(300)
        api.Recognize()
        level = self._t.RIL.WORD
        out = []
        it = api.GetIterator()
        if it is None:
            return out
        for r in self._t.iterate_level(it, level):
            try:
                text = r.GetUTF8Text(level)
            except RuntimeError:  # "No text returned": an empty word
                continue
            if not text:
                continue
            box = r.BoundingBox(level)
            out.append(Word(text.strip(), float(r.Confidence(level)), tuple(int(v) for v in box) if box else (0, 0, 0, 0)))
        return out


@lru_cache(maxsize=None)
def line_reader(lang: str = "eng") -> LineReader:
    """The process' shared engine (initialised once, about 60 ms)."""
    return LineReader(lang)
