"""Benchmark: layout stage on a generated Zoom-like gallery, against pure decode of the same file.

Generates (cached in a temp folder) a 1280x720 gallery with ``engage.synth.make_gallery`` (16 tiles,
one camera-off, name labels, moving speaker border, 16 -> 12 people at half time), runs
``engage.layout.detect_layout`` and prints its wall time divided by the wall time of
``ffmpeg -threads 2 -i FILE -f null -`` (best of two), plus the worst tile IoU and the names read
per span. The cost of the tile names (label finding and Tesseract) is printed against the rest of
the layout stage: seconds per span and per tile, and the ratio (goal <= 0.5); the full-resolution
frames it shares with edge snapping are listed apart.

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
    from engage.naming import normalize_name

    timings: dict = {}
    t0 = time.monotonic()
    doc = detect_layout(path, session="bench", width=1280, height=720, duration=dur, sampling=args.sampling,
                        threads=args.threads, timings=timings)
    lt = time.monotonic() - t0
    print(f"layout {lt:.2f} s, ffmpeg decode {d:.2f} s, ratio {lt / d:.3f} ({args.minutes:g} min, sampling {args.sampling})")
    for ts, ds in zip(truth["spans"], doc["spans"]):
        best = [max(ds["tiles"], key=lambda x: tile_iou(t, x)) for t in ts["tiles"]]
        ious = [tile_iou(t, b) for t, b in zip(ts["tiles"], best)]
        shown = [(t, b) for t, b in zip(ts["tiles"], best) if t["camera_on"] and t["name_shown"]]
        exact = sum(normalize_name(b["name"]) == normalize_name(t["name"]) for t, b in shown)
        wrong = sum(b["name"] is not None and normalize_name(b["name"]) != normalize_name(t["name"])
                    for t, b in zip(ts["tiles"], best))
        print(f"span truth {ts['start']:.2f}s detected {ds['start']:.2f}s: {len(ds['tiles'])}/{len(ts['tiles'])} tiles, "
              f"min IoU {min(ious):.3f}, names {exact}/{len(shown)} exact, {wrong} wrong")
    names_s, rest = timings["names_s"], lt - timings["names_s"]
    print(f"names (OCR): {names_s:.2f} s = {names_s / timings['spans']:.3f} s per span, "
          f"{names_s / max(timings['tiles_read'], 1):.4f} s per tile ({timings['ocr_calls']} OCR calls, both recognisers); "
          f"{names_s / rest:.3f}x the rest of the layout stage ({rest:.2f} s, of which full-resolution frames "
          f"{timings['stills_s']:.2f} s and edge snapping {timings['snap_s']:.2f} s)")
    if len(doc["spans"]) != len(truth["spans"]):
        print(f"WARNING: {len(doc['spans'])} spans detected, {len(truth['spans'])} true")


if __name__ == "__main__":
    main()
