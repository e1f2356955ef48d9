"""Benchmark: built-in face backend throughput in face-frames per second per core.

Runs on the sample session's clips when given a results folder (``--clips results/demo/clips.parquet``),
otherwise on the talking-head fixtures scaled to 320x240 tiles. The process is pinned to one CPU core and
torch/OpenCV/BLAS threads are set to 1, so the figure is per core. As a same-machine reference it also times
a pure ffmpeg decode of the same clips (the ratio shows how much of the time is the face model).

    .venv/bin/python bench/face.py [--clips PATH] [--seconds 8]
"""

from __future__ import annotations

import argparse
import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def fixture_tiles(tmp: Path, seconds: float) -> list[Path]:
    out = []
    for name in ("talking_AOC", "talking_KatieHill"):
        dst = tmp / f"{name}_320x240.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(ROOT / "tests/data/video" / f"{name}.mp4"), "-t", str(seconds),
                        "-vf", "scale=320:240", "-an", "-c:v", "libx264", "-preset", "veryfast", str(dst)], check=True)
        out.append(dst)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", help="clips.parquet of a processed session (default: fixture tiles at 320x240)")
    ap.add_argument("--seconds", type=float, default=8.0, help="seconds of each fixture video to use")
    args = ap.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    from engage.face.builtin import FaceMeshBackend
    from engage.media.decode import FrameReader

    with tempfile.TemporaryDirectory() as tmp:
        if args.clips:
            from engage.contract import clip_videos, read_clips

            videos = clip_videos(args.clips, read_clips(args.clips, session="bench"), session="bench")
        else:
            videos = fixture_tiles(Path(tmp), args.seconds)
        t0 = time.perf_counter()
        n_dec = sum(1 for v in videos for _ in FrameReader(v, threads=1))
        t_dec = time.perf_counter() - t0
        backend = FaceMeshBackend()
        backend.extract(videos[0], "warmup")
        t0 = time.perf_counter()
        tables = [backend.extract(v, v.stem) for v in videos]
        t_face = time.perf_counter() - t0
    n = sum(t.num_rows for t in tables)
    ok = sum(sum(t.column("success").to_pylist()) for t in tables)
    print(f"clips: {len(videos)}, frames: {n} ({ok} with a face), 1 core")
    print(f"built-in face backend: {n / t_face:.1f} face-frames/s/core (decode included)")
    print(f"reference ffmpeg decode of the same clips: {n_dec / t_dec:.1f} frames/s; face/decode time ratio {t_face / t_dec:.2f}")
    print("goal: >= 60 face-frames/s/core on 320x240 tiles (OpenFace 2.2 reports ~30)")


if __name__ == "__main__":
    main()
