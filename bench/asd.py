"""Speed of the asd stage: real-time factor per person (seconds of a person's face video scored per
wall second) on ONE CPU core (torch.set_num_threads(1)), and on the GPU when there is one.

Prints, for the demo gallery (16 s, 3 face tiles; tracks from the real layout + tracks stages):
  * reference: ffmpeg pure decode of the whole gallery (gray, 25 fps) on this machine;
  * the whole asd stage (decode once + crops + VAD + model + writing): person-seconds / wall s,
    also per CPU second (robust when other jobs share the machine);
  * the model alone on synthetic crops: frames/s and real-time factor per person.
Goal: >= 5x real time per person on one CPU core with Light-ASD (shared encoders, the default).

    .venv/bin/python bench/asd.py [--device cpu|cuda|auto] [--per-window]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import torch

REPO = Path(__file__).resolve().parents[1]
VIDEO = REPO / "examples/sessions/demo/gallery.mp4"
WEIGHTS = REPO / "models/light-asd/finetuning_TalkSet.model"


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--per-window", action="store_true", help="run the encoders per window, as the public demos")
    ap.add_argument("--model-frames", type=int, default=750)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(1)
    from engage.asd import run_asd_session
    from engage.asd.models import create_model
    from engage.asd.scoring import Piece, Scorer
    from engage.torchutil import pick_device
    from engage.ingest import ingest_session
    from engage.layout.stage import layout_session
    from engage.media.decode import FrameReader
    from engage.tracks import track_session

    dev = pick_device(args.device, config_key="--device")
    shared = not args.per_window
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        ingest_session(session="bench", video=VIDEO, media_json=tmp / "media.json", audio_wav=tmp / "audio.wav")
        layout_session(session="bench", video=VIDEO, media_json=tmp / "media.json", out_json=tmp / "layout.json")
        track_session(session="bench", video=VIDEO, media_json=tmp / "media.json", layout_json=tmp / "layout.json",
                      tracks_parquet=tmp / "tracks.parquet", threads=1)
        n, dec_wall, dec_cpu = timed(lambda: sum(1 for _ in FrameReader(VIDEO, gray=True, threads=1)))
        print(f"reference: ffmpeg decode of {n} frames ({n / 25:.1f} s) in {dec_wall:.2f} s wall ({n / 25 / dec_wall:.0f}x real time)")

        def stage():
            return run_asd_session(session="bench", tracks=tmp / "tracks.parquet", video=VIDEO, audio=tmp / "audio.wav",
                                   media_json=tmp / "media.json", out_scores=tmp / "asd.parquet",
                                   weights=str(WEIGHTS), device=str(dev), threads=1,
                                   shared_encoders=shared)

        _, wall, cpu = timed(stage)
        scored = pq.read_table(tmp / "asd.parquet").column("score").drop_null()
        person_s = len(scored) / 25
        print(f"asd stage on {dev} ({'shared' if shared else 'per-window'} encoders): {person_s:.1f} person-seconds in {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU -> {person_s / wall:.2f}x real time per person (wall), {person_s / max(cpu, 1e-9):.2f}x per CPU second; "
              f"stage / decode-reference time = {wall / dec_wall:.1f}")

    model = create_model("light_asd")
    model.load_checkpoint(WEIGHTS)
    rng = np.random.default_rng(0)
    k = args.model_frames
    faces = rng.integers(0, 255, (k, 112, 112), dtype=np.uint8)
    mfcc = rng.standard_normal((4 * k, 13)).astype(np.float32)
    scorer = Scorer(model, device=dev, shared_encoders=shared)
    scorer.score([Piece("warm", 0, faces[:100])], mfcc)
    _, wall, cpu = timed(lambda: scorer.score([Piece("p", 0, faces)], mfcc))
    print(f"model only ({k} frames, durations 1..6): {k / wall:.0f} frames/s wall, {k / max(cpu, 1e-9):.0f} frames/s per CPU second "
          f"-> {k / 25 / wall:.2f}x real time per person")
    return 0


if __name__ == "__main__":
    sys.exit(main())
