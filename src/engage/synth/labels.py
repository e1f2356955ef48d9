"""Display-name labels of meeting tools, drawn onto synthetic tiles (with icons), for name OCR tests.

Why: reading tile names needs recordings whose names are known, in the looks of the tools our
users record: Zoom (dark gallery; white name on a dark translucent box at the bottom left, a red
muted-microphone icon inside the box; a camera-off tile shows the full name centred), Teams (light
theme: dark name on a light box, microphone-off and pin icons beside the name, a camera-off tile
shows the initials in a coloured circle) and Meet (white name with a soft shadow and no box; the
muted icon in a dark circle at the top right; initials in a circle when the camera is off).

Every label is a list of steps for the tile's ffmpeg filter chain (``("filter", text)``,
``("overlay", png, x, y)`` or ``("layer", filters)``: filters drawn on a transparent tile-sized
layer laid over the tile); icons and circles are antialiased RGBA PNGs drawn with OpenCV, text
goes through drawtext ``textfile=`` (no filtergraph escaping of names like "Liam O'Brien").
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

#: Realistic, diverse display names (one per person, in order); more people get combinations.
NAMES = (
    "Priya Raman", "Tom Becker", "Mei Chen", "Oluwaseun Adeyemi", "Lukas Novak", "Sofia Rossi", "Aisha Khan",
    "Mateo Alvarez", "Hannah Schmidt", "Kenji Watanabe", "Fatima Zahra", "Liam O'Brien", "Anna-Lena Vogt",
    "Daniel Kim", "Chloe Martin", "Ravi Patel", "Emma Johansson", "Noah Williams", "Yuki Tanaka", "Grace Okafor",
    "Omar Haddad", "Isabella Costa", "Jakub Kowalski", "Zoe Dubois", "Arjun Mehta", "Nina Petrova",
    "Samuel Mensah", "Lea Fischer", "Diego Herrera", "Amara Nwosu", "Felix Wagner", "Sara Lindqvist",
    "Hiroshi Sato", "Maya Goldberg", "Ahmed Hassan", "Julia Nowak", "Ethan Brooks", "Leila Karimi",
    "Marco Bianchi", "Ingrid Berg", "Tariq Aziz", "Chen Wei", "Olivia Turner", "Kwame Asante", "Elena Popescu",
    "Rahul Gupta", "Camille Laurent", "Jonas Weber", "Valentina Cruz",
)

#: The fonts synthetic galleries are drawn with, shipped with the package (fonts/README.md): the same
#: picture on every machine, whatever fonts it has installed.
FONTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fonts")


def default_names(n: int) -> list[str]:
    """``n`` distinct display names: :data:`NAMES`, then first/last name combinations."""
    out = list(NAMES[:n])
    firsts = [s.split()[0] for s in NAMES]
    lasts = [s.split()[-1] for s in NAMES]
    k = 0
    while len(out) < n:
        cand = f"{firsts[k % len(firsts)]} {lasts[(k * 7 + 3) % len(lasts)]}"
        if cand not in out:
            out.append(cand)
        k += 1
    return out


def initials(name: str) -> str:
    """"Priya Raman" -> "PR" (first letters of the first and last word)."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


@dataclass(frozen=True)
class Style:
    """Look of one meeting tool's gallery and labels."""

    background: tuple[int, int, int]
    camera_off_color: tuple[int, int, int]
    camera_off: str  # "name" (full name centred) or "initials" (in a coloured circle)
    text_color: str
    box: str | None  # label box colour (ffmpeg, with alpha), None: no box
    shadow: bool  # soft blurred dark shadow under the text (Meet)
    font: str  # font file in FONTS_DIR
    mute_icon: str  # "left-in-box" (Zoom), "right" (Teams), "corner" (Meet)
    mute_color: tuple[int, int, int]
    tags: tuple[tuple[int, str], ...] = ()  # (person, tag shown after the name)
    initials_only_first: bool = False  # Meet: one letter in the circle


STYLES: dict[str, Style] = {
    "zoom": Style(background=(26, 26, 26), camera_off_color=(35, 35, 38), camera_off="name", text_color="white",
                  box="black@0.55", shadow=False, font="Lato-Regular.ttf",
                  mute_icon="left-in-box", mute_color=(40, 40, 224), tags=((0, "(Host)"), (4, "(Co-host)"))),
    "teams": Style(background=(235, 235, 235), camera_off_color=(214, 214, 220), camera_off="initials",
                   text_color="0x242424", box="0xf5f5f5@0.85", shadow=False, font="DejaVuSans.ttf",
                   mute_icon="right", mute_color=(70, 70, 70), tags=((2, "(she/her)"), (7, "(he/him)"))),
    "meet": Style(background=(32, 33, 36), camera_off_color=(60, 64, 67), camera_off="initials", text_color="white",
                  box=None, shadow=True,
                  font="Roboto-Medium.ttf",
                  mute_icon="corner", mute_color=(255, 255, 255), initials_only_first=True),
}

#: Circle colours of camera-off avatars (BGR), one per person in turn.
AVATAR_COLORS = ((180, 90, 100), (70, 140, 200), (120, 160, 60), (160, 110, 190), (60, 110, 220))


def style_font(style: Style) -> str:
    """The style's bundled font file."""
    return os.path.join(FONTS_DIR, style.font)


def default_font() -> str:
    """The bundled font of text that belongs to no meeting tool's style (slides, camera-off pictures)."""
    return os.path.join(FONTS_DIR, "DejaVuSans.ttf")


@lru_cache(maxsize=None)
def _pil_font(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def text_size(font: str, size: int, text: str) -> tuple[int, int, int]:
    """(advance width, ascent, descent) of ``text`` in pixels (what drawtext will need).

    drawtext advances by whole pixels per glyph (hinted advances), which at small sizes makes a
    line up to 3 px wider than its fractional layout width: the wider of the two, or a label box
    sized from it would end inside its last letter (no meeting tool draws that)."""
    f = _pil_font(font, size)
    ascent, descent = f.getmetrics()
    width = max(f.getlength(text), sum(round(f.getlength(ch)) for ch in text))
    return int(math.ceil(width)), int(ascent), int(descent)


def _png(path: Path, rgba: np.ndarray) -> str:
    if not path.exists():
        cv2.imwrite(str(path), rgba)
    return str(path)


def _canvas(size: int, scale: int = 4) -> tuple[np.ndarray, int]:
    s = size * scale
    return np.zeros((s, s, 4), np.uint8), s


def _finish(big: np.ndarray, size: int) -> np.ndarray:
    return cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA)


def mic_icon(workdir: Path, size: int, color: tuple[int, int, int], slash: bool = True, disc: bool = False) -> str:
    """A microphone (muted: with a slash), optionally on a dark translucent disc (Meet)."""
    path = workdir / f"mic_{size}_{'_'.join(map(str, color))}_{int(slash)}{int(disc)}.png"
    if path.exists():
        return str(path)
    big, s = _canvas(size)
    col = (*color, 255)
    if disc:
        cv2.circle(big, (s // 2, s // 2), s // 2 - 1, (40, 40, 40, 200), -1, cv2.LINE_AA)
        inset = s // 5
    else:
        inset = 0
    c, t = s // 2, max(2, s // 12)
    body_w, top, bot = (s - 2 * inset) // 6, inset + (s - 2 * inset) // 8, inset + (s - 2 * inset) * 9 // 16
    cv2.rectangle(big, (c - body_w, top + body_w), (c + body_w, bot - body_w), col, -1, cv2.LINE_AA)
    cv2.circle(big, (c, top + body_w), body_w, col, -1, cv2.LINE_AA)
    cv2.circle(big, (c, bot - body_w), body_w, col, -1, cv2.LINE_AA)
    r = body_w + 2 * t
    cv2.ellipse(big, (c, bot - body_w), (r, r), 0, 0, 180, col, t, cv2.LINE_AA)
    foot = inset + (s - 2 * inset) * 7 // 8
    cv2.line(big, (c, bot - body_w + r), (c, foot), col, t, cv2.LINE_AA)
    cv2.line(big, (c - body_w - t, foot), (c + body_w + t, foot), col, t, cv2.LINE_AA)
    if slash:
        a, b = inset + s // 10, s - inset - s // 10
        cv2.line(big, (a, a), (b, b), col, t + 1, cv2.LINE_AA)
    return _png(path, _finish(big, size))


def pin_icon(workdir: Path, size: int, color: tuple[int, int, int]) -> str:
    """A push pin (Teams' pinned participant)."""
    path = workdir / f"pin_{size}_{'_'.join(map(str, color))}.png"
    if path.exists():
        return str(path)
    big, s = _canvas(size)
    col = (*color, 255)
    t = max(2, s // 12)
    cv2.circle(big, (s * 5 // 8, s * 3 // 8), s // 5, col, -1, cv2.LINE_AA)
    cv2.line(big, (s * 3 // 8, s * 3 // 16), (s * 13 // 16, s * 5 // 8), col, t * 2, cv2.LINE_AA)
    cv2.line(big, (s * 9 // 16, s * 7 // 16), (s // 8, s * 7 // 8), col, t, cv2.LINE_AA)
    return _png(path, _finish(big, size))


def disc_png(workdir: Path, size: int, color: tuple[int, int, int]) -> str:
    """A filled circle (camera-off avatar behind the initials)."""
    path = workdir / f"disc_{size}_{'_'.join(map(str, color))}.png"
    if path.exists():
        return str(path)
    big, s = _canvas(size)
    cv2.circle(big, (s // 2, s // 2), s // 2 - 2, (*color, 255), -1, cv2.LINE_AA)
    return _png(path, _finish(big, size))


class LabelPainter:
    """Filter steps that draw one tile's name label, camera-off picture and icons (see module doc)."""

    def __init__(self, style: str, workdir: Path, font: str | None = None):
        if style not in STYLES:
            raise ValueError(f"unknown style {style!r}; known: {', '.join(STYLES)}")
        self.name = style
        self.style = STYLES[style]
        self.font = font or style_font(self.style)
        self.workdir = workdir
        self._n = 0

    def display(self, person: int, name: str) -> str:
        """The label text of a person: the name, plus the style's role tag or pronouns for some people."""
        tag = dict(self.style.tags).get(person)
        return f"{name} {tag}" if tag else name

    def _textfile(self, text: str) -> str:
        self._n += 1
        path = self.workdir / f"label_{self._n}.txt"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def _drawtext(self, text: str, size: int, x: int, y: int, color: str) -> str:
        return (f"drawtext=fontfile={self.font}:textfile={self._textfile(text)}:fontsize={size}:fontcolor={color}:"
                f"x={x}:y={y}")

    def label_size(self, w: int, h: int, text: str) -> int:
        """Font size of the bottom-left label: about h/11 (9-22 px), smaller where the text would not fit."""
        fs = max(9, min(22, h // 11))
        while fs > 9 and text_size(self.font, fs, text)[0] + 3 * fs > 0.85 * w:
            fs -= 1
        return fs

    def steps(self, person: int, w: int, h: int, name: str, *, camera_off: bool, label: bool,
              muted: bool = False, pinned: bool = False) -> list[tuple]:
        """Filter steps for a ``w`` x ``h`` tile of ``person`` named ``name``."""
        if self.font is None:
            return []
        st = self.style
        out: list[tuple] = []
        if camera_off:
            if st.camera_off == "name":
                fs = max(12, min(h // 7, int(0.8 * w / max(1, len(name)) * 1.8)))
                tw, asc, desc = text_size(self.font, fs, name)
                while fs > 12 and tw > 0.85 * w:
                    fs -= 1
                    tw, asc, desc = text_size(self.font, fs, name)
                out.append(("filter", self._drawtext(name, fs, (w - tw) // 2, (h - asc - desc) // 2, "white")))
            else:
                d = max(16, min(w, h) * 2 // 5) // 2 * 2
                color = AVATAR_COLORS[person % len(AVATAR_COLORS)]
                out.append(("overlay", disc_png(self.workdir, d, color), (w - d) // 2, (h - d) // 2))
                ini = initials(name)[:1] if st.initials_only_first else initials(name)
                fs = d * 2 // 5
                tw, asc, desc = text_size(self.font, fs, ini)
                out.append(("filter", self._drawtext(ini, fs, (w - tw) // 2, (h - asc - desc) // 2, "white")))
        if not label:
            return out
        text = self.display(person, name)
        fs = self.label_size(w, h, text)
        tw, asc, desc = text_size(self.font, fs, text)
        pad, margin, icon = max(2, fs // 4), max(3, fs // 2), fs + fs // 4
        box_h = asc + desc + 2 * pad
        by = h - margin - box_h
        x = margin + pad
        left_icon = muted and st.mute_icon == "left-in-box"
        text_x = x + (icon + pad if left_icon else 0)
        right_icons = [k for k, on in (("mute", muted and st.mute_icon == "right"), ("pin", pinned)) if on]
        gap = max(pad, fs // 2)
        box_w = (text_x - margin) + tw + pad + sum(icon + gap for _ in right_icons)
        if st.box:
            out.append(("filter", f"drawbox=x={margin}:y={by}:w={box_w}:h={box_h}:color={st.box}:t=fill"))
        iy = by + (box_h - icon) // 2
        if left_icon:
            out.append(("overlay", mic_icon(self.workdir, icon, st.mute_color), x, iy))
        if st.shadow:  # Meet: a soft blurred shadow 1 px below the text (a transparent layer)
            blur = max(1, fs // 10)
            out.append(("layer", self._drawtext(text, fs, text_x, by + pad + 1, "black@0.55")
                        + f",boxblur={blur}:1"))
        out.append(("filter", self._drawtext(text, fs, text_x, by + pad, st.text_color)))
        ix = text_x + tw + gap
        for k in right_icons:
            color = st.mute_color if k == "mute" else (90, 90, 90) if st.box else (255, 255, 255)
            png = mic_icon(self.workdir, icon, color) if k == "mute" else pin_icon(self.workdir, icon, color)
            out.append(("overlay", png, ix, iy))
            ix += icon + gap
        if muted and st.mute_icon == "corner":
            c = max(16, h // 7) // 2 * 2
            out.append(("overlay", mic_icon(self.workdir, c, st.mute_color, disc=True), w - c - margin, margin))
        return out
