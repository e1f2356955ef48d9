"""Render a shared-screen recording: slide content beside a filmstrip of webcam tiles, with truth.

Why: in online classes the teacher shares slides, and a gallery recording then shows the shared
screen large with the participants as a strip of small tiles (Zoom "shared screen with gallery",
Teams/Meet presentation layouts). Layout detection must return the strip's people, not the slide.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import tempfile

from engage.synth.gallery import _duration, _hex, apply_steps, default_sources, render
from engage.synth.labels import STYLES, LabelPainter, default_font, default_names, style_font


def make_screen_share(
    path: str | os.PathLike,
    *,
    size: tuple[int, int] = (1280, 720),
    n_strip: int = 4,
    duration: float = 10.0,
    strip: str = "right",
    background: tuple[int, int, int] = (26, 26, 26),
    gutter: int = 8,
    sources: Sequence[str | os.PathLike] | None = None,
    fps: int = 25,
    crf: int = 28,
    label_names: bool = True,
    names: Sequence[str] | None = None,
) -> dict:
    """Render ``path`` (.mp4) and return (and write to ``<stem>.truth.json``) its truth.

    The slide (white, a title, bars that change every 3 s) fills the frame beside the strip; the
    strip holds ``n_strip`` 16:9 webcam tiles (the face sources, looped) in a column at the right
    (``strip="right"``) or in a row at the top (``"top"``), ``gutter`` pixels apart, each with a
    Zoom-like name label (``label_names``; ``names`` default engage.synth.labels.default_names).
    Truth tiles are ``p00``... in strip order; the slide is not a tile.
    """
    path = Path(path)
    W, H = int(size[0]), int(size[1])
    srcs = [str(s) for s in (sources if sources is not None else default_sources())]
    if not srcs:
        raise ValueError("make_screen_share: no source videos")
    if strip == "right":
        tw = min(W // 5, ((H - (n_strip + 1) * gutter) // n_strip) * 16 // 9) // 2 * 2
        th = (tw * 9 // 16) // 2 * 2
        x0 = W - gutter - tw
        y0 = (H - (n_strip * th + (n_strip - 1) * gutter)) // 4 * 2  # even: ffmpeg's yuv420 overlay
        tiles = [(x0, y0 + k * (th + gutter), tw, th) for k in range(n_strip)]
        slide = (gutter, gutter, x0 - 2 * gutter, H - 2 * gutter)
    elif strip == "top":
        tw = min((H // 6) * 16 // 9, (W - (n_strip + 1) * gutter) // n_strip) // 2 * 2
        th = (tw * 9 // 16) // 2 * 2
        x0 = (W - (n_strip * tw + (n_strip - 1) * gutter)) // 4 * 2  # even: ffmpeg's yuv420 overlay
        tiles = [(x0 + k * (tw + gutter), gutter, tw, th) for k in range(n_strip)]
        slide = (gutter, th + 2 * gutter, W - 2 * gutter, H - th - 3 * gutter)
    else:
        raise ValueError(f"strip must be 'right' or 'top', not {strip!r}")
    sx, sy, sw, sh = slide
    sw, sh = min(sw, sh * 16 // 9) // 2 * 2, min(sh, sw * 9 // 16) // 2 * 2
    sx += (slide[2] - sw) // 4 * 2
    sy += (slide[3] - sh) // 4 * 2
    font = default_font()
    title = (f",drawtext=fontfile={font}:text='Lecture 5 - Gradient descent':fontsize={max(12, sh // 12)}:"
             f"x={sw // 16}:y={sh // 12}:fontcolor=black") if font else ""
    bars = "".join(f",drawbox=x={sw // 10}:y={sh * (3 + 2 * k) // 12}:w={sw * (7 - k) // 10}:h={max(4, sh // 30)}:"
                   f"color=0x3366cc:t=fill:enable='gte(t,{3 * k})'" for k in range(3))
    args = ["-f", "lavfi", "-i", f"color=c={_hex(background)}:s={W}x{H}:r={fps}:d={duration:.6f}",
            "-f", "lavfi", "-i", f"color=c=white:s={sw}x{sh}:r={fps}:d={duration:.6f}"]
    graph = [f"[1:v]format=yuv420p{title}{bars}[slide]", f"[0:v][slide]overlay=x={sx}:y={sy}[b0]"]
    args_png: list[str] = []  # label icons: inputs after the sources
    cur = "b0"
    people = list(names) if names is not None else default_names(n_strip)
    work = tempfile.TemporaryDirectory(prefix="engage-synth-")
    painter = LabelPainter("zoom", Path(work.name), style_font(STYLES["zoom"]))
    n_inputs = 2 + n_strip
    for k, (x, y, w, h) in enumerate(tiles):
        src = srcs[k % len(srcs)]
        off = (3.7 * k) % max(_duration(src)[0] - 0.5, 0.5)
        args += ["-stream_loop", "-1", "-ss", f"{off:.3f}", "-t", f"{duration:.6f}", "-i", src]
        chain = (f"[{k + 2}:v]fps={fps},crop=w='min(iw,ih*16/9)':h='min(ih,iw*9/16)',scale={w}:{h},setsar=1"
                 + (",hflip" if (k // len(srcs)) % 2 else "") + ",setpts=PTS-STARTPTS")
        steps = painter.steps(k, w, h, people[k], camera_off=False, label=label_names) if label_names else []
        chain, n_inputs = apply_steps(chain, steps, f"t{k}", args_png, graph, n_inputs, (w, h), fps, duration)
        graph.append(f"{chain}[t{k}]")
        graph.append(f"[{cur}][t{k}]overlay=x={x}:y={y}:eof_action=pass[b{k + 1}]")
        cur = f"b{k + 1}"
    graph.append(f"[{cur}]format=yuv420p[v]")
    args += args_png
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = (["ffmpeg", "-nostdin", "-y", "-v", "error", *args, "-filter_complex", ";".join(graph), "-map", "[v]",
            "-t", f"{duration:.6f}", "-r", str(fps), "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf),
            "-g", str(fps), "-pix_fmt", "yuv420p", str(path)])
    try:
        render(cmd, path)
    finally:
        work.cleanup()
    truth = {
        "frame_size": [W, H],
        "duration": float(duration),
        "slide": [sx, sy, sw, sh],
        "spans": [{"start": 0.0, "end": float(duration),
                   "tiles": [{"id": f"p{k:02d}", "x": x, "y": y, "w": w, "h": h, "camera_on": True,
                              "name": people[k], "name_shown": label_names}
                             for k, (x, y, w, h) in enumerate(tiles)]}],
    }
    path.with_name(path.stem + ".truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth
