"""Recordings that are not galleries, and darkened face clips (for layout tests and benchmarks).

Why: someone recording themselves (a portrait phone video, a webcam video) is a real input that
must come out as one tile of the whole picture; and a dark picture on a dark gutter is the hard
case for the tile edges, which the shipped face clips (well lit) do not show.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from engage.synth.gallery import default_sources, render


def make_single(path: str | os.PathLike, *, size: tuple[int, int] = (360, 640), duration: float = 8.0,
                source: str | os.PathLike | None = None, fps: int = 25, crf: int = 28) -> dict:
    """One person's own video: ``source`` (default: the first face clip) cropped to the frame's
    aspect and scaled to ``size`` (360x640: a portrait phone recording). Truth: one tile, the frame."""
    path = Path(path)
    W, H = int(size[0]), int(size[1])
    src = str(source or default_sources()[0])
    vf = f"crop='min(iw,ih*{W}/{H})':'min(ih,iw*{H}/{W})',scale={W}:{H},setsar=1,fps={fps},format=yuv420p"
    path.parent.mkdir(parents=True, exist_ok=True)
    render(["ffmpeg", "-nostdin", "-y", "-v", "error", "-stream_loop", "-1", "-i", src, "-t", f"{duration:.6f}",
            "-vf", vf, "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf), "-g", str(fps), "-an", str(path)],
           path)
    truth = {"frame_size": [W, H], "duration": float(duration),
             "spans": [{"start": 0.0, "end": float(duration),
                        "tiles": [{"id": "p00", "x": 0, "y": 0, "w": W, "h": H, "camera_on": True, "name": None,
                                   "name_shown": False}]}]}
    path.with_name(path.stem + ".truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth


def make_dark_clip(source: str | os.PathLike, path: str | os.PathLike, *, brightness: float = -0.3,
                   saturation: float = 0.5) -> str:
    """A darkened, desaturated copy of a face clip (a dim room), for dark-on-dark gallery tiles."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        render(["ffmpeg", "-nostdin", "-y", "-v", "error", "-i", str(source), "-vf",
                f"eq=brightness={brightness}:saturation={saturation},format=yuv420p", "-c:v", "libx264",
                "-preset", "ultrafast", "-crf", "18", "-c:a", "copy", str(path)], path)
    return str(path)
