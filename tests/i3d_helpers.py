"""Small real clips and clips tables for the i3d tests (made from tests/data/video with ffmpeg)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from contract_fixtures import clip, write_clips

DATA = Path(__file__).resolve().parent / "data" / "video"


def make_clip(src: Path, dest: Path, n_frames: int, size: tuple[int, int] | None = None, start: float = 0.0) -> Path:
    """Cut ``n_frames`` frames at 25 fps (optionally scaled to a tile-like ``size``) into ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    vf = ["fps=25"] + ([f"scale={size[0]}:{size[1]}"] if size else [])
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", f"{start}", "-i", str(src), "-vf", ",".join(vf),
           "-frames:v", str(n_frames), "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(dest)]
    subprocess.run(cmd, check=True)
    return dest


def make_session(root: Path, session: str = "s1") -> Path:
    """``<root>/<session>/clips.parquet`` with two clips: 12 frames (one window of 9, tail dropped)
    from a 512x512 talking-head video scaled to a 160x120 tile, and 5 frames (looped) from a 320x240 one."""
    sdir = root / session
    make_clip(DATA / "talking_AOC.mp4", sdir / "clips" / f"{session}_0000_p00.mp4", 12, (160, 120), start=1.0)
    make_clip(DATA / "action_v_GGSY1Qvo990.mp4", sdir / "clips" / f"{session}_0000_p01.mp4", 5, start=2.0)
    # unsorted on purpose: the stage sorts by clip_id
    write_clips(sdir / "clips.parquet", [clip(session, 0, "p01", 0.0, 0.2), clip(session, 0, "p00", 0.0, 0.48)])
    return sdir / "clips.parquet"
