"""Sample downscaled frames for layout analysis as cheaply as the file allows.

Why: the grid changes rarely, so a frame every second or two is enough, but decoding every frame
to keep one in 25 costs a full decode. When the recording's keyframes are close enough together,
only keyframes are decoded (ffmpeg ``-skip_frame nokey``: a fraction of a full decode); otherwise
frames are taken every ``sample_s`` on the 25 fps timeline with :class:`FrameReader`.
"""

from __future__ import annotations

import logging
import os
import subprocess
from typing import Iterator

import numpy as np

from engage import TIMELINE_FPS
from engage.errors import SessionError
from engage.media.decode import FrameReader

log = logging.getLogger(__name__)

#: Fewer keyframes than this (a short recording) are too little evidence: sample the timeline.
MIN_KEYFRAMES = 10


def keyframe_times(video: str | os.PathLike, session: str | None = None) -> list[float] | None:
    """Presentation times (s, from the stream start) of the video keyframes, from packet flags.

    None (with a warning saying why) when the packets do not give usable keyframe times: a keyframe
    without a time cannot be put on the timeline, so the caller samples the timeline instead. A file
    ffprobe cannot read at all is a :class:`SessionError`.
    """
    cmd = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags:stream=start_time",
           "-of", "csv=p=0", str(video)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        err = res.stderr.strip().splitlines()
        raise SessionError(session, video, f"cannot list the video packets (ffprobe: {err[-1] if err else res.returncode})")
    times, start = [], None
    for line in res.stdout.splitlines():
        parts = line.strip().split(",")
        if len(parts) == 2 and "K" in parts[1]:
            try:
                times.append(float(parts[0]))
            except ValueError:
                log.warning("session '%s': keyframe packet without a usable time (%r): keyframe sampling is off",
                            session, parts[0])
                return None
        elif len(parts) == 1 and parts[0] not in ("", "N/A"):
            try:
                start = float(parts[0])
            except ValueError:
                log.warning("session '%s': unreadable stream start time %r; keyframe times are taken from the "
                            "first keyframe", session, parts[0])
    times.sort()
    t0 = start if start is not None else (times[0] if times else 0.0)
    return [t - t0 for t in times]


def _keyframes(video, size, times, session, threads) -> Iterator[tuple[float, np.ndarray]]:
    w, h = size
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-skip_frame", "nokey"]
    if threads:
        cmd += ["-threads", str(threads)]
    cmd += ["-i", str(video), "-map", "0:v:0", "-vf", f"scale={w}:{h}:flags=area", "-fps_mode", "passthrough",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:"]
    n = w * h * 3
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=n * 2)
    k = 0
    try:
        while True:
            buf = proc.stdout.read(n)
            if len(buf) < n:
                break
            if k < len(times):
                yield times[k], np.frombuffer(buf, np.uint8).reshape(h, w, 3)
            k += 1
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace").strip()
        proc.stderr.close()
        rc = proc.wait()
    if rc != 0 and k == 0:
        raise SessionError(session, video, f"cannot decode video ({err.splitlines()[-1] if err else rc})")
    if k != len(times):
        log.warning("decoded %d keyframes but the packets flag %d; times may be approximate", k, len(times))


def sample_frames(video: str | os.PathLike, size: tuple[int, int], *, sample_s: float, mode: str = "auto",
                  keyframe_max_gap_s: float = 2.5, session: str | None = None, threads: int = 0
                  ) -> tuple[str, int, Iterator[tuple[float, np.ndarray]]]:
    """``(mode used, expected count, iterator of (time s, BGR frame))`` in time order.

    ``mode``: ``keyframes`` (decode keyframes only), ``every`` (one frame every ``sample_s``),
    ``auto`` (keyframes when there are at least ``MIN_KEYFRAMES``, no two consecutive ones are more
    than ``keyframe_max_gap_s`` apart and the first is at the start, else ``every``).
    """
    if mode not in ("auto", "keyframes", "every"):
        raise ValueError(f"unknown layout sampling mode {mode!r}")
    if mode in ("auto", "keyframes"):
        times = keyframe_times(video, session)
        if times is None:
            if mode == "keyframes":
                raise SessionError(session, video, "layout.sampling is keyframes but the keyframes have no usable "
                                                   "times (use auto or every)")
            times = []
        gaps = np.diff(times) if len(times) > 1 else np.array([np.inf])
        ok = len(times) >= MIN_KEYFRAMES and times[0] <= keyframe_max_gap_s and float(gaps.max()) <= keyframe_max_gap_s
        if mode == "keyframes" or ok:
            log.info("sampling %d keyframes (largest gap %.2f s)", len(times), float(gaps.max()) if len(times) > 1 else 0)
            return "keyframes", len(times), _keyframes(video, size, times, session, threads)
        log.info("keyframes too sparse for layout sampling (%d, largest gap %.1f s): decoding every %.2f s",
                 len(times), float(gaps.max()) if len(times) > 1 else float("inf"), sample_s)
    every = max(1, int(round(sample_s * TIMELINE_FPS)))
    reader = FrameReader(video, scale=size, every=every, session=session, threads=threads)
    return "every", 0, ((i / TIMELINE_FPS, f) for i, f in reader)


def frames_at(video: str | os.PathLike, times: list[float], *, size: tuple[int, int] | None = None,
              session: str | None = None, threads: int = 0) -> list[tuple[float, np.ndarray]]:
    """Full-resolution BGR frames at the given timeline times (one short accurate seek each).

    Why: the grid is fitted on downscaled frames; the exact pixel edges of the tiles and their name
    labels need the display resolution, but only a few frames per span. ``size``: the display size
    (saves probing the file for every frame).
    """
    out = []
    for t in times:
        reader = FrameReader(video, start=max(0.0, t), duration=1.5 / TIMELINE_FPS, scale=size, session=session,
                             threads=threads)
        for _i, frame in reader:
            out.append((t, frame))
            break
    return out
