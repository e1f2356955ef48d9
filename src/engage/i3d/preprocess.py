"""Frames of one clip as the public I3D extractors feed them, and the windows cut from them.

v-iashin/video_features and piergiaj/pytorch-i3d: 25 fps, shorter side resized to 256, centre
crop 224x224, RGB, values scaled to [-1, 1]. Here the centre crop is taken in source pixels and
scaled straight to 224x224 (same geometry, less work, see :func:`centre_crop_box`); BGR->RGB and
the scaling happen on the device (:mod:`engage.i3d.batching`), so uint8 crosses the PCIe bus.
Windows of ``window`` frames every ``stride`` frames; an incomplete tail is dropped (as
video_features does) and a clip shorter than one window is looped to one full window.
"""

from __future__ import annotations

import os

import av
import numpy as np

from engage.errors import SessionError
from engage.media.decode import FrameReader
from engage.media.probe import probe_media

SHORT_SIDE = 256
CROP = 224


def frame_size(path: str | os.PathLike, session: str | None = None) -> tuple[int, int]:
    """(w, h) of a clip's video: read in-process with PyAV (ms), ffprobe as the fallback."""
    try:
        with av.open(str(path)) as container:
            ctx = container.streams.video[0].codec_context
            if ctx.width > 0 and ctx.height > 0 and not _rotated(container.streams.video[0]):
                return int(ctx.width), int(ctx.height)
    except (av.FFmpegError, IndexError, OSError):
        pass
    info = probe_media(path, session)  # display size (rotation applied), clear error for bad files
    return int(info["width"]), int(info["height"])


def _rotated(stream) -> bool:
    rot = (stream.metadata or {}).get("rotate")
    return rot not in (None, "0")


def centre_crop_box(width: int, height: int) -> tuple[int, int, int, int]:
    """Source-pixel box that becomes the centre 224x224 crop after resizing the short side to 256.

    Cropping first and scaling the box straight to 224x224 is the same geometry as resize-then-crop
    (up to rounding the box to whole pixels) and lets ffmpeg scale 224x224 instead of the whole tile.
    """
    side = min(width, height, int(round(CROP * min(width, height) / SHORT_SIDE)))
    return (width - side) // 2, (height - side) // 2, side, side


def decode_clip(path: str | os.PathLike, *, session: str | None = None, ffmpeg_threads: int = 1) -> np.ndarray:
    """All frames of a clip on the 25 fps timeline as uint8 **BGR** (T, 224, 224, 3), C-contiguous.

    One ffmpeg process (``ffmpeg_threads`` threads) crops and scales; Python only stacks the
    frames (one memcpy). Channels stay in ffmpeg's BGR order and are flipped to RGB on the device
    (:class:`engage.i3d.batching.WindowEmbedder`), which keeps the decode threads cheap.
    Raises :class:`SessionError` for a clip without decodable frames.
    """
    width, height = frame_size(path, session)
    reader = FrameReader(path, crop=centre_crop_box(width, height), scale=(CROP, CROP), session=session,
                         threads=ffmpeg_threads)
    frames = [frame for _, frame in reader]
    if not frames:
        raise SessionError(session, path, "clip video has no decodable frames")
    return np.stack(frames)


def window_starts(n_frames: int, window: int, stride: int, max_windows: int = 0) -> list[int]:
    """First frame of each window; ``[0]`` for a clip shorter than a window (it is looped).

    ``max_windows`` > 0 keeps that many windows spread evenly over the clip (a CPU-cost cap for
    tests and previews; 0 keeps all, which is what CMOSE-compatible features need).
    """
    if n_frames <= window:
        return [0]
    starts = list(range(0, n_frames - window + 1, stride))
    if 0 < max_windows < len(starts):
        picks = np.linspace(0, len(starts) - 1, max_windows).round().astype(int)
        starts = [starts[i] for i in picks]
    return starts


def cut_window(frames: np.ndarray, start: int, window: int, step: int = 1) -> np.ndarray:
    """Frames ``start .. start+window`` (every ``step``-th), looping a clip shorter than a window.

    A view (no copy) when the window lies inside the clip.
    """
    if start + window <= len(frames):
        return frames[start : start + window : step]
    return frames[np.arange(start, start + window, step) % len(frames)]
