"""Camera-off and faceless tile pictures for synthetic galleries, with which a face must not be found.

Why: meeting tools show a camera-off participant as their name centred on a plain tile (Zoom),
their initials in a coloured or grey circle (Teams, Meet) or a still profile picture (a real face,
but not the participant live); and a camera can film a wall, a poster or a landscape. Face
features must not succeed on any of them (issue 17: initials in a grey circle gave face success on
every frame). :func:`picture` draws one such tile (BGR, antialiased text through Pillow),
:func:`still_video` makes a looping source of it, and :func:`make_evidence_gallery` renders a
gallery (:func:`engage.synth.gallery.make_gallery`) mixing them with real face clips, with the kind
of every tile in its truth.

Kept apart from the name-label styles of :mod:`engage.synth.labels` on purpose: these pictures are
whole tile sources handed to ``make_gallery`` (its ``sources``), not labels drawn by it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from engage.synth.labels import default_font

#: Tile kinds with no live face: the camera-off looks, then faceless camera pictures.
CAMERA_OFF_KINDS = ("name", "initials", "initials_grey", "profile", "silhouette")
FACELESS_KINDS = ("landscape", "texture", "faceless_video")
#: Display names of the pictured people, in tile order (their initials are what a camera-off tile shows).
NAMES = ("Priya Raman", "Tom Becker", "Mei Chen", "Olivia Otto", "Oluwaseun Adeyemi", "Lukas Novak", "Sofia Rossi",
         "Aisha Khan", "Mateo Alvarez", "Hannah Schmidt", "Kenji Watanabe", "Fatima Zahra")
#: Real face clips shipped in tests/data/video (the face sources of the evidence gallery).
REAL_FACES = ("talking_KatieHill.mp4", "talking_AOC.mp4", "silent_WolfgangLanger.mp4", "silent_single_face.mp4")


def _text(img: np.ndarray, text: str, height_px: int, color=(255, 255, 255), centre=None) -> None:
    """Draw ``text`` centred at ``centre`` (default: the image centre), ``height_px`` tall, in place."""
    from PIL import Image, ImageDraw, ImageFont

    h, w = img.shape[:2]
    font = ImageFont.truetype(default_font(), max(8, height_px))
    pil = Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(pil)
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    cx, cy = centre if centre else (w / 2, h / 2)
    draw.text((cx - (x1 - x0) / 2 - x0, cy - (y1 - y0) / 2 - y0), text, font=font, fill=tuple(int(c) for c in color[::-1]))
    img[:] = cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in (words[:1] + words[1:][-1:])).upper() or "?"


def _face_frame(source: str | os.PathLike, t: float = 1.0) -> np.ndarray:
    cap = cv2.VideoCapture(str(source))
    cap.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
    ok, frame = cap.read()
    cap.release()
    if not ok:
        raise ValueError(f"cannot read a frame of {source}")
    return frame


def picture(kind: str, size: tuple[int, int], *, name: str = "Priya Raman", seed: int = 0,
            face_source: str | os.PathLike | None = None) -> np.ndarray:
    """One ``size`` = (w, h) BGR tile picture of ``kind`` (:data:`CAMERA_OFF_KINDS`, ``landscape``, ``texture``).

    ``name``: the person's display name (centred name, initials); ``face_source``: a face video whose
    frame becomes the still profile picture (required for ``profile``); ``seed``: texture and colours.
    """
    w, h = int(size[0]), int(size[1])
    rng = np.random.default_rng(seed)
    if kind == "name":  # Zoom: the full name centred on a dark tile
        img = np.full((h, w, 3), (38, 35, 35), np.uint8)
        _text(img, name, h // 9)
    elif kind in ("initials", "initials_grey"):  # Meet: initials in a coloured circle; Teams: a grey one
        bg = (67, 64, 60) if kind == "initials" else (205, 205, 205)
        circle = tuple(int(c) for c in rng.integers(60, 200, 3)) if kind == "initials" else (160, 160, 160)
        img = np.full((h, w, 3), bg, np.uint8)
        r = int(min(w, h) * 0.3)
        cv2.circle(img, (w // 2, h // 2), r, circle, -1, cv2.LINE_AA)
        _text(img, _initials(name), int(r * 0.8))
    elif kind == "profile":  # a still photo of a face, centred in a circle on a dark tile
        if face_source is None:
            raise ValueError("picture('profile') needs face_source (a video with a face)")
        frame = _face_frame(face_source)
        fh, fw = frame.shape[:2]
        c = min(fh, fw)
        d = int(min(w, h) * 0.6) // 2 * 2
        photo = cv2.resize(frame[(fh - c) // 2:(fh - c) // 2 + c, (fw - c) // 2:(fw - c) // 2 + c], (d, d),
                           interpolation=cv2.INTER_AREA)
        img = np.full((h, w, 3), (38, 35, 35), np.uint8)
        mask = np.zeros((d, d), np.uint8)
        cv2.circle(mask, (d // 2, d // 2), d // 2, 255, -1, cv2.LINE_AA)
        x0, y0 = (w - d) // 2, (h - d) // 2
        roi = img[y0:y0 + d, x0:x0 + d]
        a = (mask.astype(np.float32) / 255.0)[..., None]
        roi[:] = (photo * a + roi * (1 - a)).astype(np.uint8)
    elif kind == "silhouette":  # the generic head-and-shoulders avatar
        img = np.full((h, w, 3), (205, 205, 205), np.uint8)
        s = min(w, h)
        cv2.circle(img, (w // 2, h // 2 - s // 10), s // 6, (125, 125, 125), -1, cv2.LINE_AA)
        cv2.ellipse(img, (w // 2, h // 2 + s // 3), (s // 3, s // 4), 0, 180, 360, (125, 125, 125), -1, cv2.LINE_AA)
    elif kind == "landscape":  # sky, sun, hills: a faceless still (virtual background, camera on a poster)
        y = np.linspace(0, 1, h)[:, None, None]
        img = ((1 - y) * np.array([235, 180, 90]) + y * np.array([250, 230, 200])).repeat(w, 1).astype(np.uint8)
        cv2.circle(img, (int(w * 0.75), int(h * 0.3)), max(4, h // 10), (80, 220, 255), -1, cv2.LINE_AA)
        xs = np.arange(w)
        hill = (h * (0.65 + 0.08 * np.sin(xs / w * 6.0 + seed))).astype(int)
        for x, top in zip(xs, hill):
            img[top:, x] = (60, 140, 70)
    elif kind == "texture":  # a blurred random texture (a wall, a curtain)
        img = cv2.GaussianBlur(rng.integers(0, 255, (h, w, 3), dtype=np.uint8), (0, 0), max(1.0, min(w, h) / 60))
    else:
        raise ValueError(f"unknown tile picture kind {kind!r}")
    return img


def still_video(path: str | os.PathLike, image: np.ndarray, duration: float, fps: int = 25) -> str:
    """``image`` repeated for ``duration`` seconds as an H.264 video (a source for ``make_gallery``)."""
    path = Path(path)
    png = path.with_suffix(".png")
    cv2.imwrite(str(png), image)
    cmd = ["ffmpeg", "-nostdin", "-y", "-v", "error", "-loop", "1", "-framerate", str(fps), "-i", str(png),
           "-t", f"{duration:.3f}", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p",
           str(path)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"ffmpeg failed rendering {path}: {res.stderr.strip()[-2000:]}")
    png.unlink()
    return str(path)


#: The default evidence gallery: four real faces, every camera-off look, every faceless picture (4x3).
EVIDENCE_KINDS = ("real",) * 4 + CAMERA_OFF_KINDS + FACELESS_KINDS[:2] + ("faceless_video",)


def make_evidence_gallery(path: str | os.PathLike, *, kinds: Sequence[str] = EVIDENCE_KINDS, size: tuple[int, int] = (1280, 720), duration: float = 6.0,
                          face_dir: str | os.PathLike | None = None, seed: int = 0, **gallery_kw) -> dict:
    """A gallery whose tile ``p`` shows ``kinds[p]``: ``real`` (the next real face clip), a camera-off
    kind, ``landscape``/``texture`` (faceless stills) or ``faceless_video`` (moving, no face).

    Real faces come from ``face_dir`` (default tests/data/video); the first tile should be ``real``
    (its clip gives the audio). Returns make_gallery's truth plus ``kinds`` (person -> kind) and each
    truth tile's ``camera_on`` set to whether the tile shows a live camera (real, faceless_video,
    landscape, texture) or not (the camera-off kinds).
    """
    from engage.synth.gallery import make_gallery

    path = Path(path)
    faces_dir = Path(face_dir) if face_dir else Path(__file__).resolve().parents[3] / "tests" / "data" / "video"
    real = [str(faces_dir / n) for n in REAL_FACES if (faces_dir / n).exists()]
    if not real:
        raise ValueError(f"make_evidence_gallery: no face clips in {faces_dir} (pass face_dir)")
    work = path.with_name(path.stem + "_sources")
    work.mkdir(parents=True, exist_ok=True)
    tile = (640, 360)
    sources, k_real = [], 0
    for p, kind in enumerate(kinds):
        if kind == "real":
            sources.append(real[k_real % len(real)])
            k_real += 1
        elif kind == "faceless_video":
            sources.append(str(faces_dir / "no_face.mp4"))
        else:
            img = picture(kind, tile, name=NAMES[p % len(NAMES)], seed=seed + p, face_source=real[p % len(real)])
            sources.append(still_video(work / f"p{p:02d}_{kind}.mp4", img, duration + 1.0))
    truth = make_gallery(path, size=size, n_tiles=len(kinds), duration=duration, sources=sources,
                         speaker_border=False, seed=seed, **gallery_kw)
    truth["kinds"] = {f"p{p:02d}": kind for p, kind in enumerate(kinds)}
    for span in truth["spans"]:
        for t in span["tiles"]:
            t["camera_on"] = truth["kinds"][t["id"]] not in CAMERA_OFF_KINDS
    truth["camera_off"] = sorted(t for t, k in truth["kinds"].items() if k in CAMERA_OFF_KINDS)
    path.with_name(path.stem + ".truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth
