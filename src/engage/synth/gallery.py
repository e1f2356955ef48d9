"""Compose real face clips into a Zoom-like gallery recording, with the true tile rectangles.

Why: layout detection, tracking and the segment benchmark need recordings whose tile geometry is
known exactly, in layouts the shipped fixtures do not cover (gutters, centred incomplete rows, name
labels, camera-off tiles, an active-speaker border that moves, people joining or leaving).
Everything is rendered by a single ffmpeg call (colour background, one overlay per tile, drawtext
labels, drawbox speaker border, concat of the layout spans), encoded fast at a low bitrate.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

import ffmpeg

log = logging.getLogger(__name__)

#: Speaker-border colour (Zoom-like green).
BORDER_COLOR = "0x23d959"


def default_sources() -> list[str]:
    """Face clips shipped with the repository (tests/data/video), if this is a source checkout."""
    repo = Path(__file__).resolve().parents[3]
    names = ("talking_KatieHill.mp4", "silent_WolfgangLanger.mp4", "talking_AOC.mp4", "silent_single_face.mp4")
    found = [str(repo / "tests" / "data" / "video" / n) for n in names]
    return [p for p in found if os.path.exists(p)]


def zoom_grid(n: int, size: tuple[int, int], gutter: int = 8, aspect: float = 16 / 9) -> list[tuple[int, int, int, int]]:
    """Zoom's gallery arrangement: ``(x, y, w, h)`` of ``n`` equal tiles, row-major.

    Chooses the column count that gives the largest tiles of the given aspect, keeps ``gutter``
    pixels between tiles (and at least around the block), centres the block and the incomplete
    last row. ``gutter=0`` gives touching tiles.
    """
    if n < 1:
        return []
    W, H = size
    best = None
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        if cols > 1 and math.ceil(n / (cols - 1)) == rows:
            continue  # same rows with fewer columns is never smaller
        w = min((W - (cols + 1) * gutter) / cols, (H - (rows + 1) * gutter) / rows * aspect)
        if best is None or w > best[0] + 1e-9:
            best = (w, cols, rows)
    w, cols, rows = best
    w = int(w) // 2 * 2
    h = int(w / aspect) // 2 * 2
    block_h = rows * h + (rows - 1) * gutter
    # even positions: ffmpeg's overlay rounds yuv420 positions down to even pixels
    y0 = (H - block_h) // 4 * 2
    rects = []
    for r in range(rows):
        k = min(cols, n - r * cols)
        row_w = k * w + (k - 1) * gutter
        x0 = (W - row_w) // 4 * 2
        for c in range(k):
            rects.append(((x0 + c * (w + gutter)) // 2 * 2, (y0 + r * (h + gutter)) // 2 * 2, w, h))
    return rects


def _duration(path: str) -> tuple[float, bool]:
    info = ffmpeg.probe(path)
    has_audio = any(s.get("codec_type") == "audio" for s in info["streams"])
    return float(info["format"]["duration"]), has_audio


def _spans(duration: float, n_tiles: int, changes: Iterable[tuple[float, int]]) -> list[tuple[float, float, int]]:
    spans, start, n = [], 0.0, n_tiles
    for t, n_after in sorted(changes):
        if not 0 < t < duration:
            raise ValueError(f"change time {t} outside (0, {duration})")
        spans.append((start, float(t), n))
        start, n = float(t), int(n_after)
    spans.append((start, float(duration), n))
    return spans


def _speaker_schedule(rng: random.Random, spans, camera_off: set[int], duration: float) -> list[dict]:
    out, t = [], 0.0
    while t < duration - 1e-9:
        end = min(duration, t + rng.uniform(2.0, 4.0))
        n = next(n for a, b, n in spans if a <= t < b)
        on = [p for p in range(n) if p not in camera_off]
        if on:
            out.append({"start": round(t, 3), "end": round(end, 3), "person": f"p{rng.choice(on):02d}"})
        t = end
    return out


def render(cmd: list[str], path: Path) -> None:
    """Run one ffmpeg rendering command; a failure is a RuntimeError with ffmpeg's message."""
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"ffmpeg failed rendering {path}: {res.stderr.strip()[-2000:]}")


def apply_steps(chain: str, steps: list[tuple], lab: str, args: list[str], graph: list[str], n_inputs: int,
                size: tuple[int, int], fps: int, d: float) -> tuple[str, int]:
    """Append a tile's label steps (engage.synth.labels) to its filter chain.

    PNG overlays become ffmpeg inputs (``args``, numbered from ``n_inputs``); returns the chain
    and the next free input number.
    """
    w, h = size
    for k, step in enumerate(steps):
        if step[0] == "filter":
            chain += "," + step[1]
        elif step[0] == "layer":  # filters on a transparent layer over the tile
            graph.append(f"{chain}[{lab}_{k}]")
            graph.append(f"color=c=black@0.0:s={w}x{h}:r={fps}:d={d:.6f},format=rgba,{step[1]}[{lab}_{k}l]")
            chain = f"[{lab}_{k}][{lab}_{k}l]overlay=x=0:y=0"
        else:  # ("overlay", png, x, y): a still RGBA picture, repeated to the end
            _, png, ox, oy = step
            args += ["-i", png]
            graph.append(f"{chain}[{lab}_{k}]")
            chain = f"[{lab}_{k}][{n_inputs}:v]overlay=x={ox}:y={oy}"
            n_inputs += 1
    return chain, n_inputs


def _hex(rgb: Sequence[int]) -> str:
    return "0x%02x%02x%02x" % tuple(int(v) for v in rgb)


def make_gallery(
    path: str | os.PathLike,
    *,
    size: tuple[int, int] = (1280, 720),
    n_tiles: int = 16,
    duration: float = 10.0,
    gutter: int = 8,
    background: tuple[int, int, int] | None = None,
    label_names: bool = True,
    camera_off: Sequence[int] = (),
    speaker_border: bool = True,
    changes: Sequence[tuple[float, int]] = (),
    seed: int = 0,
    sources: Sequence[str | os.PathLike] | None = None,
    aspect: float = 16 / 9,
    fps: int = 25,
    gop: int = 25,
    crf: int = 32,
    audio: bool = True,
    style: str = "zoom",
    names: Sequence[str] | None = None,
    icons: bool = True,
    label_camera_off: bool = True,
    picture_changes: Sequence[tuple[float, int, str | os.PathLike]] = (),
    font: str | None = None,
) -> dict:
    """Render a meeting-tool gallery video to ``path`` and return (and write) its truth.

    Args:
        path: output video (.mp4); the truth goes to ``<path stem>.truth.json`` next to it.
        size: frame ``(width, height)``; n_tiles: participants at t=0.
        gutter: pixels of ``background`` between tiles (0: tiles touch).
        background: gallery colour (RGB); default: the style's (dark for Zoom/Meet, light for Teams).
        label_names: draw each person's display-name label at the bottom-left of the tile.
        camera_off: person indices (0-based) whose camera is off: a uniform tile with the full name
            centred (Zoom) or the initials in a coloured circle (Teams, Meet).
        speaker_border: a green frame around the tile of a random camera-on person, moving
            every 2-4 s (the speaker schedule is in the truth).
        changes: ``[(t, n_after)]``: at ``t`` seconds the gallery holds ``n_after`` people; person
            ``i`` stays person ``i`` (joins append, leaves drop the highest indices) and tiles reflow.
            People beyond the number of sources reuse a source mirrored and hue-shifted.
        seed: randomises speaker schedule and clip offsets; sources: face videos, looped (default:
            the repository's tests/data/video face clips); aspect: tile aspect ratio (16/9 or 4/3).
        fps, gop, crf: output frame rate, keyframe interval (frames), x264 quality (ultrafast).
        audio: add the first source's audio track (looped), mono 16 kHz AAC.
        style: ``zoom``, ``teams`` or ``meet`` label and camera-off looks (engage.synth.labels).
        names: display names per person (default :func:`engage.synth.labels.default_names`).
        icons: a muted-microphone icon beside every third person's name (and a pin in Teams).
        label_camera_off: camera-off tiles get the bottom-left label too (False: only the centred
            name or initials, e.g. to check that initials are not read as a name).
        picture_changes: ``[(t, person, source)]``: from the first span starting at or after ``t``,
            the person's picture is ``source`` (another camera, lights on: same name, new picture).
        font: font file for all text (default: the style's first installed font).

    Returns the truth: ``frame_size``, ``duration``, ``spans`` (layout.json-like, tile ids
    ``p00``... are person indices, ``name`` the display name without role tags, ``label`` the
    text drawn or null), ``speaker`` schedule, ``camera_off``, ``style``, ``font``.
    """
    from engage.synth.labels import STYLES, LabelPainter, default_names, style_font

    path = Path(path)
    W, H = int(size[0]), int(size[1])
    srcs = [str(s) for s in (sources if sources is not None else default_sources())]
    if not srcs:
        raise ValueError("make_gallery: no source videos (pass sources=[...face clips...])")
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; known: {', '.join(STYLES)}")
    if background is None:
        background = STYLES[style].background
    rng = random.Random(seed)
    spans = _spans(duration, n_tiles, changes)
    n_people = max(n for _, _, n in spans)
    people = list(names) if names is not None else default_names(n_people)
    if len(people) < n_people:
        raise ValueError(f"make_gallery: {len(people)} names for {n_people} people")
    off = set(int(p) for p in camera_off)
    src_info = [_duration(s) for s in srcs]
    person_src = [p % len(srcs) for p in range(n_people)]
    person_off = [rng.uniform(0, src_info[person_src[p]][0]) for p in range(n_people)]
    person_flip = [(p // len(srcs)) % 2 == 1 for p in range(n_people)]
    speaker = _speaker_schedule(rng, spans, off, duration) if speaker_border else []
    swaps = sorted((float(t), int(p), str(src)) for t, p, src in picture_changes)
    swap_info = {src: _duration(src) for _t, _p, src in swaps}

    def picture(p: int, start: float) -> tuple[str, float, bool, int]:
        """(source, its duration, mirrored, hue shift) of person ``p`` in the span starting at ``start``."""
        new = [src for t, q, src in swaps if q == p and t <= start + 1e-9]
        if new:
            return new[-1], swap_info[new[-1]][0], False, 0
        k = person_src[p]
        return srcs[k], src_info[k][0], person_flip[p], 45 * (p // len(srcs))

    work = tempfile.TemporaryDirectory(prefix="engage-synth-")
    painter = LabelPainter(style, Path(work.name), font or style_font(STYLES[style]))
    args: list[str] = []
    graph: list[str] = []
    n_inputs = 0
    truth_spans = []
    seg_labels = []
    for j, (a, b, n) in enumerate(spans):
        d = b - a
        rects = zoom_grid(n, (W, H), gutter, aspect)
        graph.append(f"color=c={_hex(background)}:s={W}x{H}:r={fps}:d={d:.6f}[bg{j}]")
        cur = f"bg{j}"
        tiles = []
        for p, (x, y, w, h) in enumerate(rects):
            name = people[p]
            lab = f"t{j}_{p}"
            if p in off:
                chain = f"color=c={_hex(STYLES[style].camera_off_color)}:s={w}x{h}:r={fps}:d={d:.6f}"
            else:
                src, src_d, flip, hue = picture(p, a)
                ss = (person_off[p] + a) % max(src_d - 0.5, 0.5)
                args += ["-stream_loop", "-1", "-ss", f"{ss:.3f}", "-t", f"{d:.6f}", "-i", src]
                chain = (f"[{n_inputs}:v]fps={fps},crop=w='min(iw,ih*{aspect:.6f})':h='min(ih,iw/{aspect:.6f})',"
                         f"scale={w}:{h},setsar=1" + (",hflip" if flip else "") + (f",hue=h={hue}" if hue else "")
                         + f",trim=duration={d:.6f},setpts=PTS-STARTPTS")
                n_inputs += 1
            label = label_names and (p not in off or label_camera_off)
            steps = painter.steps(p, w, h, name, camera_off=p in off, label=label,
                                  muted=icons and p % 3 == 1, pinned=icons and style == "teams" and p == 1)
            chain, n_inputs = apply_steps(chain, steps, lab, args, graph, n_inputs, (w, h), fps, d)
            graph.append(f"{chain}[{lab}]")
            nxt = f"o{j}_{p}"
            graph.append(f"[{cur}][{lab}]overlay=x={x}:y={y}:eof_action=pass:shortest=0[{nxt}]")
            cur = nxt
            tiles.append({"id": f"p{p:02d}", "x": x, "y": y, "w": w, "h": h, "camera_on": p not in off,
                          "name": name, "label": painter.display(p, name) if label else None,
                          # the name is on the picture: a label, or the centred name of a camera-off tile
                          "name_shown": bool(label or (p in off and STYLES[style].camera_off == "name"))})
        if speaker_border:
            bt = max(2, round(min(W, H) / 240))
            for p, (x, y, w, h) in enumerate(rects):
                iv = [(max(s["start"], a) - a, min(s["end"], b) - a) for s in speaker
                      if s["person"] == f"p{p:02d}" and s["start"] < b and s["end"] > a]
                if not iv:
                    continue
                enable = "+".join(f"between(t,{s:.3f},{e - 0.001:.3f})" for s, e in iv)
                nxt = f"sb{j}_{p}"
                graph.append(f"[{cur}]drawbox=x={x}:y={y}:w={w}:h={h}:color={BORDER_COLOR}:t={bt}:"
                             f"enable='{enable}'[{nxt}]")
                cur = nxt
        seg_labels.append(cur)
        truth_spans.append({"start": a, "end": b, "tiles": tiles})
    if len(seg_labels) > 1:
        graph.append("".join(f"[{s}]" for s in seg_labels) + f"concat=n={len(seg_labels)}:v=1:a=0,format=yuv420p[v]")
    else:
        graph.append(f"[{seg_labels[0]}]format=yuv420p[v]")
    maps = ["-map", "[v]"]
    if audio and src_info[0][1]:
        args += ["-stream_loop", "-1", "-i", srcs[0]]
        maps += ["-map", f"{n_inputs}:a", "-ac", "1", "-ar", "16000", "-c:a", "aac", "-b:a", "32k"]
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = (["ffmpeg", "-nostdin", "-y", "-v", "error"] + args
           + ["-filter_complex", ";".join(graph)] + maps
           + ["-t", f"{duration:.6f}", "-r", str(fps), "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf),
              "-g", str(gop), "-x264-params", "deblock=0,0", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)])
    log.info("rendering synthetic gallery %s (%d spans, %d people, %.1f s)", path, len(spans), n_people, duration)
    try:
        render(cmd, path)
    finally:
        work.cleanup()
    truth = {
        "frame_size": [W, H],
        "duration": float(duration),
        "gutter": gutter,
        "aspect": aspect,
        "spans": truth_spans,
        "speaker": speaker,
        "camera_off": sorted(f"p{p:02d}" for p in off),
        "sources": {f"p{p:02d}": Path(srcs[person_src[p]]).name for p in range(n_people)},
        "style": style,
        "font": Path(painter.font).name if painter.font else None,
    }
    truth_path = path.with_name(path.stem + ".truth.json")
    truth_path.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth
