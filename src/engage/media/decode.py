"""Stream decoded frames from ffmpeg on the 25 fps CFR timeline.

Every stage decodes through :class:`FrameReader`, so frame ``i`` always means time ``i / 25`` s
whatever the source frame rate (VFR input is resampled by ffmpeg's ``fps`` filter, which
duplicates/drops frames to a constant rate). Rotation metadata is applied by ffmpeg (autorotate).
Memory use is one frame at a time, independent of recording length.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Iterator

import ffmpeg
import numpy as np

from engage import TIMELINE_FPS
from engage.errors import SessionError


class FrameReader:
    """Iterate ``(index, frame)`` with frames as ``uint8`` arrays (H, W, 3) BGR or (H, W) gray.

    Args:
        path: video file.
        fps: output frame rate (the timeline, 25).
        scale: optional ``(w, h)`` to scale the whole frame to (cheap analysis resolution).
        crop: optional ``(x, y, w, h)`` in source (display) pixels, applied before ``scale``.
        gray: decode to 8-bit grayscale.
        start, duration: optional seconds; ``start`` seeks accurately, frame indices stay
            absolute (first yielded index = round(start * fps)).
        every: yield only frames whose absolute index is a multiple of ``every`` (ffmpeg select).
        pix_fmt: ``"yuv420p"`` yields planar I420 frames shaped (H*3/2, W) (even W and H only):
            no colour conversion, for crops fed straight to an encoder. Overrides ``gray``.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        fps: int = TIMELINE_FPS,
        scale: tuple[int, int] | None = None,
        crop: tuple[int, int, int, int] | None = None,
        gray: bool = False,
        start: float | None = None,
        duration: float | None = None,
        every: int = 1,
        session: str | None = None,
        threads: int = 0,
        pix_fmt: str | None = None,
    ):
        self.path = Path(path)
        self.fps = fps
        self.gray = gray
        self.session = session
        self.every = max(1, int(every))
        self.first_index = int(round((start or 0.0) * fps))
        in_kw = {}
        if start:
            in_kw["ss"] = f"{start:.6f}"
        if duration is not None:
            in_kw["t"] = f"{duration:.6f}"
        if threads:
            in_kw["threads"] = str(threads)
        stream = ffmpeg.input(str(self.path), **in_kw).video
        stream = stream.filter("fps", fps=fps, start_time=0)  # input -ss resets timestamps to 0
        if self.every > 1:
            off = (-self.first_index) % self.every
            stream = stream.filter("select", f"not(mod(n-{off},{self.every}))")
        if crop is not None:
            x, y, w, h = (int(v) for v in crop)
            stream = stream.filter("crop", w, h, x, y)
        if scale is not None:
            stream = stream.filter("scale", int(scale[0]), int(scale[1]), flags="area")
        self.size = None  # (w, h) known after probing the filter output
        self._stream = stream
        self._pix_fmt = pix_fmt or ("gray" if gray else "bgr24")
        self.gray = self._pix_fmt == "gray"
        self._crop = crop
        self._scale = scale
        self._vsync = "passthrough" if self.every > 1 else "cfr"

    def _out_size(self) -> tuple[int, int]:
        if self._scale is not None:
            return int(self._scale[0]), int(self._scale[1])
        if self._crop is not None:
            return int(self._crop[2]), int(self._crop[3])
        from engage.media.probe import probe_media

        info = probe_media(self.path, self.session)
        return info["width"], info["height"]

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        w, h = self._out_size()
        self.size = (w, h)
        if self._pix_fmt == "yuv420p":
            if w % 2 or h % 2:
                raise ValueError(f"yuv420p frames need even width and height, got {w}x{h}")
            frame_bytes = w * h * 3 // 2
        else:
            frame_bytes = w * h * (1 if self.gray else 3)
        cmd = (
            self._stream.output("pipe:", format="rawvideo", pix_fmt=self._pix_fmt, fps_mode=self._vsync)
            .global_args("-nostdin", "-loglevel", "error")
            .compile()
        )
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=frame_bytes * 4)
        index = self.first_index
        try:
            while True:
                buf = proc.stdout.read(frame_bytes)
                if len(buf) < frame_bytes:
                    break
                arr = np.frombuffer(buf, np.uint8)
                if self._pix_fmt == "yuv420p":
                    frame = arr.reshape(h * 3 // 2, w)
                else:
                    frame = arr.reshape(h, w) if self.gray else arr.reshape(h, w, 3)
                yield index, frame
                index += self.every
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode("utf-8", "replace").strip()
            proc.stderr.close()
            rc = proc.wait()
        if rc != 0 and index == self.first_index:
            raise SessionError(self.session, self.path, f"cannot decode video ({ffmpeg_reason(err, rc)})")


def ffmpeg_reason(stderr: str, rc: int) -> str:
    """The most telling line of ffmpeg's error output, without its ``[h264 @ 0x...]`` prefix.

    ffmpeg's last line is often generic ("Error marking filters as finished"); a truncated file
    says "partial file" and a corrupt stream "Invalid data" somewhere earlier.
    """
    lines = [re.sub(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*", "", ln).strip() for ln in stderr.splitlines() if ln.strip()]
    if not lines:
        return f"ffmpeg exited with {rc}"
    for needle, label in (("partial file", "truncated file"), ("moov atom not found", "truncated file"),
                          ("Invalid data", "corrupt data"), ("Invalid NAL", "corrupt data")):
        hit = next((ln for ln in lines if needle in ln), None)
        if hit:
            return f"{label}: {hit}"
    return lines[-1]


def extract_audio(path: str | os.PathLike, out_wav: str | os.PathLike, *, rate: int = 16000, session: str | None = None) -> None:
    """Decode the first audio stream to 16-bit PCM mono WAV at ``rate`` (no metadata, stable bytes)."""
    cmd = (
        ffmpeg.input(str(path))
        .audio.output(str(out_wav), ac=1, ar=rate, acodec="pcm_s16le", map_metadata=-1, fflags="+bitexact", flags="+bitexact", format="wav")
        .global_args("-nostdin", "-loglevel", "error", "-y")
        .compile()
    )
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SessionError(session, path, f"cannot decode audio ({msg[-1] if msg else 'ffmpeg failed'})")


def silent_audio(out_wav: str | os.PathLike, duration: float, *, rate: int = 16000) -> None:
    """Write ``duration`` seconds of digital silence (for sessions recorded without audio)."""
    cmd = (
        ffmpeg.input(f"anullsrc=r={rate}:cl=mono", f="lavfi", t=f"{duration:.6f}")
        .output(str(out_wav), ac=1, ar=rate, acodec="pcm_s16le", map_metadata=-1, fflags="+bitexact", flags="+bitexact", format="wav")
        .global_args("-nostdin", "-loglevel", "error", "-y")
        .compile()
    )
    subprocess.run(cmd, check=True, capture_output=True)
