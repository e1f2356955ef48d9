#!/usr/bin/env python3
"""i3d stage throughput: clips/s of the full stage vs pure decode of the same clips (ratio).

Makes ``--unique`` clips of ``--seconds`` s from tests/data/video at a gallery-tile size
(``--tile``, upscaled/downscaled to the 256/224 input like real tiles), lists them ``--clips``
times in total, then times on the same machine:

  decode: the stage's decode path alone (ffmpeg scale + centre crop, ``--workers`` clips in parallel)
  stage:  decode overlapped with batched inference (engage.i3d.batching.embed_clips), random weights

and prints one JSON object. Goal on a GPU box: ratio >= 0.7 (the GPU keeps up with decoding) and
>= 2000 ten-second clips/min on one H200-class GPU with all CPU cores decoding.

    CPU here (quick):  python bench/i3d.py --clips 4 --seconds 2 --window 16 --batch-size 2
    GPU box (one command, unattended):
                       python bench/i3d.py --device cuda --clips 256 --seconds 10 --workers 16 --batch-size 32
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
VIDEOS = sorted((REPO / "tests" / "data" / "video").glob("*.mp4"))


def make_clips(root: Path, unique: int, seconds: float, tile: str) -> list[Path]:
    w, h = tile.split("x")
    out = []
    for i in range(unique):
        src = VIDEOS[i % len(VIDEOS)]
        dest = root / f"clip_{i:03d}.mp4"
        # -stream_loop makes 10 s from the shorter fixtures; tile size like a gallery person crop
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(src), "-t", f"{seconds}",
               "-vf", f"fps=25,scale={w}:{h}", "-an", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(dest)]
        subprocess.run(cmd, check=True)
        out.append(dest)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N | auto")
    ap.add_argument("--model", default="inception_i3d")
    ap.add_argument("--clips", type=int, default=4, help="clips per timed pass")
    ap.add_argument("--unique", type=int, default=4, help="distinct clip files (listed repeatedly)")
    ap.add_argument("--seconds", type=float, default=2.0, help="clip length (CMOSE clips: 10)")
    ap.add_argument("--tile", default="640x360", help="clip frame size WxH (a person's tile)")
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--stride", type=int, default=0, help="default: = window")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel decoders")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch CPU threads")
    ap.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"],
                    help="auto: bf16 (or fp16) on CUDA, fp32 on CPU")
    ap.add_argument("--no-channels-last", action="store_true")
    args = ap.parse_args()

    import torch

    from engage.i3d.batching import WindowEmbedder, WindowPlan, decoded_in_order, embed_clips
    from engage.i3d.checkpoint import build_with_weights
    from engage.i3d.preprocess import decode_clip
    from engage.i3d.registry import get_model_spec
    from engage.torchutil import pick_device, pick_precision

    if args.device.startswith("cuda") and not torch.version.cuda:
        sys.exit(f"bench/i3d.py: --device {args.device} needs the CUDA build of torch, this is torch "
                 f"{torch.__version__}: ENGAGE_TORCH=cuda ./pipeline.sh install")
    dev = pick_device(args.device, config_key="--device")
    dtype = pick_precision(dev, args.precision, config_key="--precision")
    torch.set_num_threads(args.threads)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
    spec = get_model_spec(args.model)
    plan = WindowPlan(args.window, args.stride or args.window, spec.frame_step, 0)
    decode = functools.partial(decode_clip, ffmpeg_threads=1)

    with tempfile.TemporaryDirectory() as d:
        unique = make_clips(Path(d), min(args.unique, args.clips), args.seconds, args.tile)
        paths = [str(unique[i % len(unique)]) for i in range(args.clips)]

        t0 = time.perf_counter()
        n_frames = sum(len(f) for f in decoded_in_order(paths, decode, args.workers))
        t_decode = time.perf_counter() - t0

        model, _ = build_with_weights(spec, None, seed=0)
        embedder = WindowEmbedder(model, spec, dev, dtype, channels_last=not args.no_channels_last)
        embed_clips(paths[: max(1, min(len(paths), args.workers))], decode, embedder, plan,
                    batch_size=args.batch_size, workers=args.workers, embed_dim=spec.embed_dim)  # warm-up
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        _, n_windows = embed_clips(paths, decode, embedder, plan, batch_size=args.batch_size, workers=args.workers,
                                   embed_dim=spec.embed_dim)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t_stage = time.perf_counter() - t0

    decode_rate = len(paths) / t_decode
    stage_rate = len(paths) / t_stage
    result = {
        "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
        "cpu_count": os.cpu_count(),
        "model": spec.name,
        "precision": str(dtype).replace("torch.", ""),
        "channels_last": not args.no_channels_last,
        "clips": len(paths),
        "clip_seconds": args.seconds,
        "tile": args.tile,
        "frames_decoded": n_frames,
        "window": args.window,
        "windows": int(sum(n_windows)),
        "batch_size": args.batch_size,
        "workers": args.workers,
        "decode_s": round(t_decode, 3),
        "stage_s": round(t_stage, 3),
        "decode_clips_per_s": round(decode_rate, 3),
        "stage_clips_per_s": round(stage_rate, 3),
        "ratio_stage_to_decode": round(stage_rate / decode_rate, 3),
        # only meaningful with --seconds 10 (CMOSE clip length)
        "stage_clips_per_min": round(60 * stage_rate, 1),
        "goal": {"ratio": 0.7, "ten_second_clips_per_min": 2000},
    }
    if dev.type == "cuda":
        result["max_memory_gib"] = round(torch.cuda.max_memory_allocated(dev) / 2**30, 2)
        result["meets_goal"] = bool(result["ratio_stage_to_decode"] >= 0.7 and args.seconds >= 10
                                    and result["stage_clips_per_min"] >= 2000)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
