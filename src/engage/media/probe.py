"""Probe a recording with ffprobe (via ffmpeg-python) and summarise what later stages need."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from engage.errors import SessionError


def _rate(text: str | None) -> float | None:
    if not text or text in ("0/0", "0"):
        return None
    try:
        value = float(Fraction(text))
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def _rotation(stream: dict[str, Any]) -> int:
    """Display rotation in degrees (0/90/180/270) from tags or side data."""
    rot = stream.get("tags", {}).get("rotate")
    for sd in stream.get("side_data_list", []) or []:
        if "rotation" in sd:
            rot = sd["rotation"]
    try:
        return int(round(float(rot))) % 360 if rot is not None else 0
    except ValueError:
        return 0


def probe_media(path: str | os.PathLike, session: str | None = None) -> dict[str, Any]:
    """Return a JSON-able summary of ``path``; raise :class:`SessionError` for unusable files.

    Keys: duration, fps (the timeline fps, 25), avg_frame_rate, r_frame_rate, vfr, width, height
    (display size after rotation), coded_width/height, rotation, video_codec, n_frames_source,
    has_audio, audio_codec, audio_sample_rate, audio_channels, container, size_bytes.
    """
    path = Path(path)
    if not path.exists():
        raise SessionError(session, path, "video file not found")
    if path.stat().st_size == 0:
        raise SessionError(session, path, "video file is empty (0 bytes)")
    try:
        info = ffmpeg.probe(str(path))
    except ffmpeg.Error as err:
        detail = (err.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else "ffprobe failed"
        raise SessionError(session, path, f"not a readable video (ffprobe: {reason})") from None
    streams = info.get("streams", [])
    video = [s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    if not video:
        raise SessionError(session, path, "no video stream (audio-only or data file)")
    v = video[0]
    fmt = info.get("format", {})
    duration = None
    for cand in (v.get("duration"), fmt.get("duration")):
        try:
            duration = float(cand)
            break
        except (TypeError, ValueError):
            continue
    if not duration or duration <= 0:
        raise SessionError(session, path, "video has no duration (truncated or corrupt file)")
    avg = _rate(v.get("avg_frame_rate"))
    real = _rate(v.get("r_frame_rate"))
    # VFR if the average and the nominal (real base) frame rate disagree by more than 1 %.
    vfr = bool(avg and real and abs(avg - real) / real > 0.01)
    rot = _rotation(v)
    cw, ch = int(v.get("width") or 0), int(v.get("height") or 0)
    if cw <= 0 or ch <= 0:
        raise SessionError(session, path, "video stream has no frame size (corrupt header)")
    w, h = (ch, cw) if rot in (90, 270) else (cw, ch)
    a = audio[0] if audio else {}
    try:
        nb = int(v.get("nb_frames")) if v.get("nb_frames") else None
    except ValueError:
        nb = None
    return {
        "duration": round(duration, 6),
        "fps": 25,
        "avg_frame_rate": avg,
        "r_frame_rate": real,
        "vfr": vfr,
        "width": w,
        "height": h,
        "coded_width": cw,
        "coded_height": ch,
        "rotation": rot,
        "video_codec": v.get("codec_name"),
        "pix_fmt": v.get("pix_fmt"),
        "n_frames_source": nb,
        "has_audio": bool(audio),
        "audio_codec": a.get("codec_name"),
        "audio_sample_rate": int(a["sample_rate"]) if a.get("sample_rate") else None,
        "audio_channels": a.get("channels"),
        "container": fmt.get("format_name"),
        "size_bytes": path.stat().st_size,
    }


def check_not_truncated(path: str | os.PathLike, duration: float, session: str | None = None, tail_s: float = 1.0) -> None:
    """Raise :class:`SessionError` if the video data stops before ``duration`` (a truncated download/copy).

    A file cut after a front index (mp4 ``+faststart``, mkv cues) still probes fine and its first
    second decodes, so without this check later stages would pad the missing part with a frozen
    last frame. Reads only the packets of the last ``tail_s`` seconds (seek, no decode): cheap on
    hour-long recordings. Truncated = the demuxer reports a partial file, or no packet is there.
    """
    start = max(0.0, float(duration) - tail_s)
    cmd = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", f"{start:.3f}%",
           "-show_entries", "packet=pts_time", "-of", "csv=p=0", str(path)]
    res = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    pts = []
    for line in res.stdout.split():
        try:
            pts.append(float(line.strip().strip(",")))
        except ValueError:
            continue
    if "partial file" in res.stderr or not pts:
        where = f"ends at {max(pts):.2f} s" if pts else f"is missing after {start:.2f} s"
        raise SessionError(session, path, f"truncated file: video data {where} of {duration:.2f} s")


@dataclass(frozen=True)
class DecodeCheck:
    """What one full decode of the video stream found (:func:`decode_check`)."""

    errors: int  # error messages ffmpeg printed while decoding (repeats included)
    example: str | None  # the first one, without the decoder's address
    frames: int  # frames the decoder produced (source frames, before the 25 fps resampling)


_REPEATED = re.compile(r"Last message repeated (\d+) times?")
_ADDRESS = re.compile(r" @ 0x[0-9a-f]+\]")


def decode_check(path: str | os.PathLike, session: str | None = None, threads: int = 1) -> DecodeCheck:
    """Decode the whole video stream once (no output) and count ffmpeg's decode errors and frames.

    Why: a file with damaged packets probes fine and decodes "successfully" (ffmpeg conceals the
    damage, the timeline repeats frames it cannot decode), so without this count a damaged recording
    silently gives lower face coverage and wrong features. Costs about the pure decode time.
    """
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-threads", str(max(1, int(threads))), "-i", str(path),
           "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "null", "-", "-progress", "pipe:1", "-nostats"]
    res = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    frames = 0
    for line in res.stdout.splitlines():
        if line.startswith("frame="):
            try:
                frames = int(line[6:].strip())
            except ValueError:
                pass
    errors, example = 0, None
    for line in res.stderr.splitlines():
        line = line.strip()
        if not line:
            continue
        m = _REPEATED.search(line)
        if m:
            errors += int(m.group(1))
            continue
        errors += 1
        example = example or _ADDRESS.sub("]", line)[:200]
    if res.returncode != 0 and frames == 0:
        raise SessionError(session, path, f"video stream cannot be decoded ({example or 'ffmpeg failed'})")
    return DecodeCheck(errors, example, frames)
