"""Layout accuracy across many gallery shapes: a table of tiles found and worst IoU per case.

The shipped fixtures are two galleries; real recordings come in other resolutions, tile counts,
aspect ratios, themes, with people joining, leaving and rejoining, and with shared slides beside a
filmstrip. This script renders (once, cached) a set of short synthetic recordings with
``engage.synth.make_gallery`` (real face clips, name labels, a moving speaker border) and
``engage.synth.make_screen_share`` and runs ``engage.layout.detect_layout`` on each. For every
true span it prints the true and detected tile counts, the worst tile IoU and whether the tile ids
follow the people (ids are person indices in the truth). Cases are short on purpose: a span of a
few seconds has only a few layout samples, the hard case for the grid fit.

    .venv/bin/python bench/layout_cases.py            # all cases
    .venv/bin/python bench/layout_cases.py 1080p_25 leave_9_8
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

#: name -> make_gallery arguments (duration 8 s and seed 3 unless given).
CASES: dict[str, dict] = {
    "720p_1": dict(size=(1280, 720), n_tiles=1, gutter=0),
    "720p_2": dict(size=(1280, 720), n_tiles=2),
    "720p_5": dict(size=(1280, 720), n_tiles=5),
    "720p_16_plain": dict(size=(1280, 720), n_tiles=16, label_names=False, speaker_border=False),
    "720p_30_gutter4": dict(size=(1280, 720), n_tiles=30, gutter=4),
    "720p_12_gutter2": dict(size=(1280, 720), n_tiles=12, gutter=2),
    "720p_6_light": dict(size=(1280, 720), n_tiles=6, background=(240, 240, 240)),
    "480p_8_odd": dict(size=(854, 480), n_tiles=8),
    "360p_9_4x3": dict(size=(640, 360), n_tiles=9, aspect=4 / 3),
    "1080p_3_camoff": dict(size=(1920, 1080), n_tiles=3, camera_off=(1,)),
    "1080p_9_touching": dict(size=(1920, 1080), n_tiles=9, gutter=0),
    "1080p_12_4x3": dict(size=(1920, 1080), n_tiles=12, aspect=4 / 3),
    "1080p_8_light": dict(size=(1920, 1080), n_tiles=8, background=(235, 235, 235), gutter=6),
    "1080p_25": dict(size=(1920, 1080), n_tiles=25),
    "1080p_49_gutter4": dict(size=(1920, 1080), n_tiles=49, gutter=4),
    "1440p_10": dict(size=(2560, 1440), n_tiles=10),
    "6_3s": dict(size=(1280, 720), n_tiles=6, duration=3.0),
    "join_4_6_3": dict(size=(1280, 720), n_tiles=4, changes=[(5.0, 6), (10.0, 3)], duration=15.0),
    "leave_9_8": dict(size=(1280, 720), n_tiles=9, changes=[(6.0, 8)], duration=12.0),
    "camoff_join_5_7": dict(size=(1280, 720), n_tiles=5, camera_off=(1, 3), changes=[(6.0, 7)], duration=12.0),
    "rejoin_4_3_4": dict(size=(1280, 720), n_tiles=4, changes=[(6.0, 3), (12.0, 4)], duration=18.0),
    "rejoin_9_7_9": dict(size=(1280, 720), n_tiles=9, changes=[(6.0, 7), (12.0, 9)], duration=18.0, camera_off=(8,)),
    # shared slides beside a filmstrip (engage.synth.make_screen_share): the people are the strip
    "share_right_720p_4": dict(share=True, size=(1280, 720), n_strip=4, strip="right"),
    "share_right_1080p_3": dict(share=True, size=(1920, 1080), n_strip=3, strip="right"),
    "share_top_720p_5": dict(share=True, size=(1280, 720), n_strip=5, strip="top"),
    "share_top_1080p_8": dict(share=True, size=(1920, 1080), n_strip=8, strip="top"),
}


def run_case(name: str, cache: Path) -> list[str]:
    from engage.layout import detect_layout, tile_iou
    from engage.synth import make_gallery, make_screen_share

    kw = dict(duration=8.0) if CASES[name].get("share") else dict(duration=8.0, seed=3)
    kw.update(CASES[name])
    render = make_screen_share if kw.pop("share", False) else make_gallery
    path = cache / f"case_{name}.mp4"
    truth_path = path.with_name(path.stem + ".truth.json")
    if not path.exists() or not truth_path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        render(path, **kw)
    truth = json.loads(truth_path.read_text())
    w, h = truth["frame_size"]
    t0 = time.monotonic()
    doc = detect_layout(path, session="bench", width=w, height=h, duration=truth["duration"])
    secs = time.monotonic() - t0
    rows = []
    for k, ts in enumerate(truth["spans"]):
        mid = (ts["start"] + ts["end"]) / 2
        det = next((s for s in doc["spans"] if s["start"] <= mid < s["end"]), {"tiles": [], "start": float("nan")})
        best = [max(det["tiles"], key=lambda d: tile_iou(t, d), default=None) for t in ts["tiles"]]
        ious = [tile_iou(t, b) if b else 0.0 for t, b in zip(ts["tiles"], best)]
        ids = all(b is not None and b["id"] == t["id"] for t, b in zip(ts["tiles"], best) if t.get("camera_on", True))
        rows.append(f"| {name} | {w}x{h} | {k} | {ts['start']:g}-{ts['end']:g} | {len(ts['tiles'])} | {len(det['tiles'])} | "
                    f"{min(ious):.2f} | {'yes' if ids else 'no'} | {len(doc['spans'])}/{len(truth['spans'])} | {secs:.1f} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help=f"cases to run (default all): {', '.join(CASES)}")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "engage-bench" / "layout-cases",
                    help="folder for the rendered galleries (kept between runs)")
    args = ap.parse_args()
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    print("| case | frame | span | time (s) | tiles true | tiles found | worst IoU | ids follow people | spans found/true | s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.cases or CASES:
        for row in run_case(name, args.cache):
            print(row, flush=True)


if __name__ == "__main__":
    main()
