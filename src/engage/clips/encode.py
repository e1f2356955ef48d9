"""Cut every clip of a session in one ffmpeg process: one decode, a crop per tile, segment muxers.

The whole job runs inside ffmpeg, so decoded frames never cross into Python: the video is decoded
once onto the 25 fps timeline (``fps`` filter; ``tpad`` repeats the last frame if the stream stops
early, ``trim`` ends it at the timeline's last frame), ``split`` into one branch per layout span
(``trim`` to the span's frames), and each span branch ``split`` into one ``crop`` per person. Every
crop is its own output: libx264 with key frames forced at the window starts and ffmpeg's segment
muxer, which writes one mp4 per window. The span's audio is encoded to AAC once (a small temporary
m4a) and stream-copied into every person's output: encoding it per person cost more CPU than the
video. Bit-exact flags and a fixed x264 thread count make the files byte-identical on rerun.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from engage.logutil import progress
from engage.media.decode import ffmpeg_reason

log = logging.getLogger(__name__)

BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]


class EncodeError(RuntimeError):
    """ffmpeg failed or wrote fewer clips than planned; ``reason`` is one line."""

    def __init__(self, reason: str, decode_failed: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.decode_failed = decode_failed


@dataclass(frozen=True)
class PersonPlan:
    """One person's crop in one span and the clip path of each of the span's windows."""

    rect: tuple[int, int, int, int]  # x, y, w, h (even, inside the frame)
    out_paths: tuple[Path, ...]


@dataclass(frozen=True)
class SpanPlan:
    """Frames ``[first_frame, end_frame)`` of one layout span, its windows and its persons."""

    first_frame: int
    end_frame: int
    windows: tuple[tuple[int, int], ...]
    persons: tuple[PersonPlan, ...]


def _seg_paths(out_paths: Sequence[Path]) -> tuple[str, list[Path]]:
    """Temporary segment pattern and its files, next to the first clip (renamed on success)."""
    first = Path(out_paths[0])
    stem = f".{first.stem}.seg"
    return str(first.parent / f"{stem}%04d.mp4"), [first.parent / f"{stem}{k:04d}.mp4" for k in range(len(out_paths))]


def _encode_audio(audio_wav, span: SpanPlan, fps: int, out: Path, bitrate: str) -> None:
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
           "-ss", f"{span.first_frame / fps:.6f}", "-t", f"{(span.end_frame - span.first_frame) / fps:.6f}",
           "-i", str(audio_wav), "-vn", "-c:a", "aac", "-b:a", bitrate, "-ac", "1", *BITEXACT, "-f", "mp4", str(out)]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        err = res.stderr.decode("utf-8", "replace")
        raise EncodeError(f"cannot encode clip audio ({ffmpeg_reason(err, res.returncode)})")


def build_command(video, spans: Sequence[SpanPlan], audio_files: Sequence[Path], *, n_frames: int, fps: int,
                  preset: str, crf: int, x264_threads: int) -> tuple[list[str], list[tuple[list[Path], list[Path]]]]:
    """The ffmpeg command line and, per output, (segment files, clip paths)."""
    live = [k for k, sp in enumerate(spans) if sp.persons and sp.windows]
    # The first output is a null sink of the whole timeline (no copy: wrapped_avframe): ffmpeg's
    # -progress "frame=" counts the first output's frames, i.e. timeline frames decoded so far.
    graph = [f"[0:v]fps={fps}:start_time=0,tpad=stop_mode=clone:stop={n_frames},trim=end_frame={n_frames},"
             f"split={len(live) + 1}[timeline]" + "".join(f"[s{k}]" for k in live)]
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(video)]
    for f in audio_files:
        cmd += ["-i", str(f)]
    outputs: list[tuple[list[Path], list[Path]]] = []
    out_args: list[str] = ["-map", "[timeline]", "-c:v", "wrapped_avframe", "-f", "null", "-"]
    for k in live:
        sp = spans[k]
        n = len(sp.persons)
        graph.append(f"[s{k}]trim=start_frame={sp.first_frame}:end_frame={sp.end_frame},setpts=PTS-STARTPTS,"
                     f"split={n}" + "".join(f"[s{k}_{j}]" for j in range(n)))
        # Cut half a frame before each window start: robust to float rounding of the times.
        cuts = ",".join(f"{(a - sp.first_frame - 0.5) / fps:.6f}" for a, _ in sp.windows[1:])
        for j, person in enumerate(sp.persons):
            x, y, w, h = person.rect
            graph.append(f"[s{k}_{j}]crop={w}:{h}:{x}:{y}[p{k}_{j}]")
            pattern, segs = _seg_paths(person.out_paths)
            # "?": a span that starts after the end of audio.wav has an empty m4a without an audio
            # stream; its clips are video-only (as when each encoder read audio.wav itself).
            out_args += ["-map", f"[p{k}_{j}]", "-map", f"{1 + k}:a:0?",
                         "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
                         "-threads", str(x264_threads), "-c:a", "copy", *BITEXACT]
            if cuts:
                out_args += ["-force_key_frames", cuts, "-segment_times", cuts]
            # AAC priming (1024 samples) would otherwise shift the video of the first clip by 64 ms
            # (video start_time 0.064): decoders on the 25 fps timeline then see 1-2 extra frames.
            out_args += ["-avoid_negative_ts", "disabled", "-f", "segment", "-reset_timestamps", "1",
                         "-segment_format", "mp4", "-segment_start_number", "0", pattern]
            outputs.append((segs, list(person.out_paths)))
    cmd += ["-filter_complex", ";".join(graph), *out_args, "-progress", "pipe:1", "-nostats"]
    return cmd, outputs


def _progress_frames(stdout) -> Iterator[None]:
    """One item per encoded timeline frame, from ffmpeg's ``-progress`` key=value lines."""
    done = 0
    for raw in stdout:
        line = raw.decode("ascii", "replace").strip()
        if line.startswith("frame="):
            try:
                now = int(line[6:])
            except ValueError:
                continue
            for _ in range(max(0, now - done)):
                yield None
            done = max(done, now)


def encode_clips(video, spans: Sequence[SpanPlan], *, audio_wav, n_frames: int, fps: int = 25,
                 preset: str = "ultrafast", crf: int = 23, audio_bitrate: str = "64k", x264_threads: int = 2) -> None:
    """Write every planned clip (atomic per file: segments are renamed when ffmpeg succeeded)."""
    if not any(sp.persons and sp.windows for sp in spans):
        return
    work = Path(next(p for sp in spans for pp in sp.persons for p in pp.out_paths)).parent
    outputs: list[tuple[list[Path], list[Path]]] = []
    with tempfile.TemporaryDirectory(dir=work, prefix=".audio.") as tmp:
        audio_files = []
        for k, sp in enumerate(spans):
            f = Path(tmp) / f"span{k:04d}.m4a"
            if sp.persons and sp.windows:
                _encode_audio(audio_wav, sp, fps, f, audio_bitrate)
            audio_files.append(f)
        # Spans without persons have no output: give ffmpeg only the audio inputs it maps.
        live = [k for k, sp in enumerate(spans) if sp.persons and sp.windows]
        cmd, outputs = build_command(video, [spans[k] for k in live], [audio_files[k] for k in live],
                                     n_frames=n_frames, fps=fps, preset=preset, crf=crf, x264_threads=x264_threads)
        total = n_frames
        with tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr)
            try:
                for _ in progress(_progress_frames(proc.stdout), total, "clips: frames", log):
                    pass
                rc = proc.wait()
            except BaseException:
                proc.kill()
                proc.wait()
                _cleanup(outputs)
                raise
            finally:
                proc.stdout.close()
            stderr.seek(0)
            err = stderr.read().decode("utf-8", "replace")
    if rc != 0:
        _cleanup(outputs)
        raise EncodeError(ffmpeg_reason(err, rc), decode_failed=True)
    missing = sum(1 for segs, _ in outputs for s in segs if not s.exists())
    if missing:
        n = sum(len(segs) for segs, _ in outputs)
        _cleanup(outputs)
        raise EncodeError(f"ffmpeg wrote {n - missing} of {n} clip segments (no decodable frames?)", decode_failed=True)
    for segs, paths in outputs:
        for seg, out in zip(segs, paths):
            os.replace(seg, out)


def _cleanup(outputs) -> None:
    for segs, _ in outputs:
        for s in segs:
            if s.exists():
                s.unlink()
