"""Benchmark: layout stage on a generated Zoom-like gallery, against pure decode of the same file.

Generates (cached in a temp folder) a 1280x720 gallery with ``engage.synth.make_gallery`` (16 tiles,
one camera-off, name labels, moving speaker border, 16 -> 12 people at half time), runs
``engage.layout.detect_layout`` and prints its wall time divided by the wall time of
``ffmpeg -threads 2 -i FILE -f null -`` (best of two), plus the worst tile IoU per span.

    .venv/bin/python bench/layout.py --minutes 2
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "engage-bench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sampling", default="auto", choices=["auto", "keyframes", "every"])
    args = ap.parse_args()
    from engage.layout import detect_layout, tile_iou
    from engage.synth import make_gallery

    dur = args.minutes * 60.0
    path = args.cache / f"layout16_1280x720_{args.minutes:g}min.mp4"
    truth_path = path.with_name(path.stem + ".truth.json")
    if not path.exists() or not truth_path.exists():
        args.cache.mkdir(parents=True, exist_ok=True)
        make_gallery(path, size=(1280, 720), n_tiles=16, duration=dur, camera_off=(5,), changes=[(dur / 2, 12)], seed=3)
    import json

    truth = json.loads(truth_path.read_text())

    def decode() -> float:
        t0 = time.monotonic()
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-threads", str(args.threads), "-i", str(path), "-f", "null", "-"],
                       check=True)
        return time.monotonic() - t0

    d = min(decode(), decode())
    t0 = time.monotonic()
    doc = detect_layout(path, session="bench", width=1280, height=720, duration=dur, sampling=args.sampling,
                        threads=args.threads)
    lt = time.monotonic() - t0
    print(f"layout {lt:.2f} s, ffmpeg decode {d:.2f} s, ratio {lt / d:.3f} ({args.minutes:g} min, sampling {args.sampling})")
    for ts, ds in zip(truth["spans"], doc["spans"]):
        ious = [max((tile_iou(t, x) for x in ds["tiles"]), default=0.0) for t in ts["tiles"]]
        print(f"span truth {ts['start']:.2f}s detected {ds['start']:.2f}s: {len(ds['tiles'])}/{len(ts['tiles'])} tiles, "
              f"min IoU {min(ious):.3f}")
    if len(doc["spans"]) != len(truth["spans"]):
        print(f"WARNING: {len(doc['spans'])} spans detected, {len(truth['spans'])} true")


if __name__ == "__main__":
    main()
