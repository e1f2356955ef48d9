"""Measure the asd stage against the fixture galleries' ground truth and print the metrics.

For each gallery: ingest -> layout -> tracks (the real stages; or ``--tracks truth`` for truth tile
rectangles + MediaPipe boxes, tests/asd_support.py) -> asd, then frame-level accuracy and average
precision of speaking vs silent over face tiles, and cue attribution (persons matched to truth tiles
by rectangle IoU).

    .venv/bin/python bench/asd_eval.py [--tracks real|truth] [--shared-encoders 0|1] [--device auto]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
GALLERIES = {
    "demo": (REPO / "examples/sessions/demo/gallery.mp4", REPO / "tests/data/demo_truth.json", REPO / "examples/sessions/demo/transcript.vtt"),
    "gallery_3x3": (REPO / "tests/data/gallery_3x3/gallery.mp4", REPO / "tests/data/gallery_3x3/truth.json", REPO / "tests/data/gallery_3x3/transcript.vtt"),
}


def person_rects(tracks) -> dict:
    out = {}
    for row in tracks.group_by("person").aggregate([(c, "min") for c in ("tile_x", "tile_y", "tile_w", "tile_h")]).to_pylist():
        out[row["person"]] = (row["tile_x_min"], row["tile_y_min"], row["tile_w_min"], row["tile_h_min"])
    return out


def make_tracks(kind: str, name: str, video: Path, truth: dict, tmp: Path) -> Path:
    out = tmp / "tracks.parquet"
    if kind == "truth":
        sys.path.insert(0, str(REPO / "tests"))
        from asd_support import truth_tracks

        from engage.contract import TRACKS

        TRACKS.write(out, truth_tracks(video, truth, name))
        return out
    from engage.layout.stage import layout_session
    from engage.tracks import track_session

    layout_session(session=name, video=video, media_json=tmp / "media.json", out_json=tmp / "layout.json")
    track_session(session=name, video=video, media_json=tmp / "media.json", layout_json=tmp / "layout.json", tracks_parquet=out)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tracks", choices=["real", "truth"], default="real")
    ap.add_argument("--shared-encoders", type=int, default=1)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", default="light_asd")
    ap.add_argument("--weights", default=str(REPO / "models/light-asd/finetuning_TalkSet.model"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    from engage.asd import evaluate as ev
    from engage.asd import run_asd_session
    from engage.contract import Layout, Span, Tile, read_media, write_layout
    from engage.cues import write_cues_session
    from engage.ingest import ingest_session
    from engage.speakers import attribute_speakers_session

    ok = True
    for name, (video, truth_path, vtt) in GALLERIES.items():
        truth = json.loads(truth_path.read_text())
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            ingest_session(session=name, video=video, media_json=tmp / "media.json", audio_wav=tmp / "audio.wav")
            tracks = make_tracks(args.tracks, name, video, truth, tmp)
            t0 = time.perf_counter()
            run_asd_session(session=name, tracks=tracks, video=video, audio=tmp / "audio.wav", media_json=tmp / "media.json",
                            out_scores=tmp / "asd.parquet", model=args.model,
                            weights=args.weights, sha256=None, device=args.device, threads=args.threads,
                            shared_encoders=bool(args.shared_encoders))
            dt = time.perf_counter() - t0
            # who said what, as the pipeline's cues -> speakers rules do (ASD only: no tile names here)
            write_cues_session(session=name, transcript=vtt, media_json=tmp / "media.json", output=tmp / "cues.parquet")
            layout = tmp / "layout.json"
            rects = person_rects(pq.read_table(tracks))
            write_layout(layout, Layout("detected", None, (Span(0.0, read_media(tmp / "media.json", session=name).duration,
                                                                tuple(Tile(p, *r) for p, r in sorted(rects.items()))),)))
            attribute_speakers_session(session=name, asd=tmp / "asd.parquet", cues=tmp / "cues.parquet", layout_json=layout,
                                       media_json=tmp / "media.json", output=tmp / "utt.parquet", attribution="asd")
            persons = ev.match_persons_to_tiles(person_rects(pq.read_table(tracks)), truth)
            m = ev.frame_metrics(pq.read_table(tmp / "asd.parquet"), persons, truth)
            a = ev.attribution_metrics(pq.read_table(tmp / "utt.parquet"), persons, truth)
        print(f"{name}: tracks={args.tracks} asd {dt:.1f} s | frame accuracy {m['accuracy']:.4f} | AP {m['average_precision']:.4f} "
              f"| frames {m['frames']} | cues {a['correct']}/{a['cues']} correct")
        for tile, r in sorted(m["per_tile"].items()):
            print(f"    {tile} ({r['person']}): accuracy {r['accuracy']:.3f}, speaking frames truth {r['speaking_truth_frames']} "
                  f"predicted {r['speaking_pred_frames']}")
        for c in a["detail"]:
            print(f"    cue {c['utterance']}: truth {c['truth_tile']} -> {c['speaker']} ({c['speaker_tile']}) {'ok' if c['correct'] else 'WRONG'} {c['evidence']}")
        ok &= m["accuracy"] >= 0.9 and m["average_precision"] >= 0.9 and a["correct"] == a["cues"]
    print("PASS" if ok else "FAIL", "(goal: accuracy >= 0.90, AP >= 0.90, every cue right)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
