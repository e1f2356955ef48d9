"""A second text recogniser for name labels: PaddleOCR's PP-OCRv4 line recogniser (ONNX, on the CPU).

Why a second one: Tesseract reads a name label from our binarised stroke views, and at 7-10
display pixels a letter of a still label reads the same wrong way in every view ("Schmxit",
"Dubosr"), so the vote rightly refuses; half of those labels are still legible to a person. PP-OCRv4's
recogniser is a CTC network trained on photographed text: it reads the label straight from the
grey picture (translucent box, any theme, white text over a picture) and makes other mistakes
than Tesseract, so it is asked only where Tesseract gave no name, and a name it reads must pass
checks of its own (:mod:`engage.layout.names`). Its weights (10.9 MB, Apache-2.0, from the
``rapidocr_onnxruntime`` 1.4.4 wheel) ship in ``models/ppocr/``; the character list is in the
model's metadata; nothing is downloaded. onnxruntime runs it (about 10-25 ms per label line on one core).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from engage.layout.ocr import OcrUnavailable, Word

#: The shipped model (config ``layout.names_recogniser``) and its sha256 (``layout.names_recogniser_sha256``).
MODEL = Path(__file__).resolve().parents[3] / "models" / "ppocr" / "ch_PP-OCRv4_rec_infer.onnx"
MODEL_SHA256 = "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b"
#: The network's input height and least width (PP-OCRv4's ``rec_img_shape`` 3 x 48 x 320).
INPUT_H = 48
MIN_INPUT_W = 320


class SceneTextReader:
    """One text line of a grey image -> words with a confidence (0-100) and a column box each.

    A word's confidence is its least sure character's probability (one unsure letter makes an
    unsure word, as Tesseract's word confidence does); its box spans its characters' CTC steps.
    """

    def __init__(self, model: str | Path = MODEL, sha256: str | None = MODEL_SHA256):
        from engage.weights import resolve_weights

        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - the lock file installs it
            raise OcrUnavailable(f"the Python package onnxruntime is not installed ({exc}); ./pipeline.sh installs it") from exc
        model, self.sha256 = resolve_weights(
            model, sha256 or None, what="name-label text recogniser (PP-OCRv4)", config_key="layout.names_recogniser",
            how_to_get="It ships in models/ppocr/ (models/ppocr/SOURCE.md says where it comes from); "
                       "names_recogniser: \"\" reads names with Tesseract only.")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # one short line at a time: threads cost more than they give
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        if "character" not in meta:
            raise OcrUnavailable(f"{model}: no character list in the model's metadata (not a PP-OCR recogniser)")
        self.chars = [""] + meta["character"].splitlines() + [" "]  # CTC blank first, space last (PaddleOCR's order)
        self.input = self.session.get_inputs()[0].name

    def read(self, image: np.ndarray) -> list[Word]:
        """Words of a grey uint8 image holding one line of text (either polarity)."""
        h, w = image.shape[:2]
        if h < 2 or w < 2:
            return []
        rw = max(1, int(math.ceil(INPUT_H * w / h)))
        img = cv2.resize(image, (rw, INPUT_H), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        width = max(rw, MIN_INPUT_W)
        x = np.zeros((1, 3, INPUT_H, width), np.float32)  # right padding at 0 (mid grey), as PaddleOCR pads
        x[0, :, :, :rw] = img / 127.5 - 1.0
        probs = self.session.run(None, {self.input: x})[0][0]  # steps x classes (softmax)
        best = probs.argmax(axis=1)
        sure = probs.max(axis=1)
        step = width / probs.shape[0] * (w / rw)  # image columns per CTC step
        words: list[list[tuple[int, str, float]]] = [[]]
        prev = 0
        for t, k in enumerate(best):
            if k != prev and k != 0:
                ch = self.chars[k] if k < len(self.chars) else ""
                if ch == " ":
                    words.append([])
                elif ch:
                    words[-1].append((t, ch, float(sure[t])))
            prev = k
        out = []
        for wd in words:
            if not wd:
                continue
            x0 = max(0, int((wd[0][0] - 1) * step))  # a character's peak is near its centre
            x1 = min(w, int((wd[-1][0] + 2) * step))
            out.append(Word("".join(c for _t, c, _p in wd), 100.0 * min(p for _t, _c, p in wd), (x0, 0, x1, h)))
        return out


@lru_cache(maxsize=None)
def scene_text_reader(model: str = str(MODEL), sha256: str = MODEL_SHA256) -> SceneTextReader:
    """The process' shared recogniser of that file (loaded and checked once, about 0.2 s)."""
    return SceneTextReader(model, sha256)
