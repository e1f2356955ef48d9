"""One ffmpeg H.264/AAC encoder per person and layout span, split into per-window mp4 files.

The clips stage decodes the recording once and pushes each person's tile crop (raw frames on
stdin) into that person's encoder; ffmpeg's segment muxer cuts the stream at the window
boundaries (key frames are forced there, so every clip starts with a key frame and has exactly its
window's frames). One process per person and span instead of one per clip avoids ~50 ms of
start-up per clip. Bit-exact flags and one encoder thread make the files byte-identical on rerun.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

F_SETPIPE_SZ = 1031  # Linux fcntl: enlarge the pipe so the decoder rarely waits on an encoder


class SpanEncoder:
    """Encode frames ``[first_frame, end_frame)`` of one tile into ``out_paths`` (one per window)."""

    def __init__(
        self,
        *,
        size: tuple[int, int],
        pix_fmt: str,
        windows: Sequence[tuple[int, int]],
        out_paths: Sequence[Path],
        audio_wav: str | os.PathLike,
        fps: int = 25,
        preset: str = "ultrafast",
        crf: int = 23,
        audio_bitrate: str = "64k",
    ):
        self.windows = list(windows)
        self.out_paths = [Path(p) for p in out_paths]
        self.first_frame = self.windows[0][0]
        self.end_frame = self.windows[-1][1]
        self.fps = fps
        tmp_dir = self.out_paths[0].parent
        stem = f".{self.out_paths[0].stem}.seg"
        self.pattern = tmp_dir / f"{stem}%04d.mp4"
        self.seg_paths = [tmp_dir / f"{stem}{k:04d}.mp4" for k in range(len(self.windows))]
        # Cut half a frame before each window start: robust to float rounding of the times.
        cuts = ",".join(f"{(a - self.first_frame - 0.5) / fps:.6f}" for a, _ in self.windows[1:])
        w, h = size
        cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", f"{w}x{h}", "-r", str(fps), "-i", "pipe:0",
               "-ss", f"{self.first_frame / fps:.6f}", "-t", f"{(self.end_frame - self.first_frame) / fps:.6f}",
               "-i", str(audio_wav),
               "-map", "0:v:0", "-map", "1:a:0",
               "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p", "-threads", "1",
               "-c:a", "aac", "-b:a", audio_bitrate, "-ac", "1",
               "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]
        if cuts:
            cmd += ["-force_key_frames", cuts, "-segment_times", cuts]
        # AAC priming (1024 samples) would otherwise shift the video of the first clip by 64 ms
        # (video start_time 0.064): decoders on the 25 fps timeline then see 1-2 extra frames.
        cmd += ["-avoid_negative_ts", "disabled"]
        cmd += ["-f", "segment", "-reset_timestamps", "1", "-segment_format", "mp4", "-segment_start_number", "0",
                str(self.pattern)]
        self.cmd = cmd
        # stderr to a file, not a pipe: a chatty ffmpeg must never block on a full stderr pipe.
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=self._stderr)
        try:
            fcntl.fcntl(self.proc.stdin.fileno(), F_SETPIPE_SZ, 1 << 20)
        except OSError:
            pass
        self.frames_written = 0

    def _error_text(self) -> str:
        self._stderr.seek(0)
        err = self._stderr.read().decode("utf-8", "replace").strip()
        return err.splitlines()[-1] if err else ""

    def write(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
        except BrokenPipeError:
            rc = self.proc.wait()
            raise RuntimeError(f"ffmpeg clip encoder stopped early ({rc}): {self._error_text()}") from None
        self.frames_written += 1

    def finish(self) -> None:
        """Close stdin, wait, and rename the segments to their clip paths (atomic per file)."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        rc = self.proc.wait()
        err = self._error_text()
        self._stderr.close()
        if rc != 0:
            self.cleanup()
            raise RuntimeError(f"ffmpeg clip encoder failed ({rc}): {err}")
        missing = [p for p in self.seg_paths if not p.exists()]
        if missing:
            self.cleanup()
            raise RuntimeError(f"ffmpeg wrote {len(self.seg_paths) - len(missing)} of {len(self.seg_paths)} clip segments")
        for seg, out in zip(self.seg_paths, self.out_paths):
            os.replace(seg, out)

    def abort(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self._stderr.close()
        self.cleanup()

    def cleanup(self) -> None:
        for p in self.seg_paths:
            if p.exists():
                p.unlink()
