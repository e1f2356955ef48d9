#!/usr/bin/env python3
"""acoustics stage cost on a synthetic long session made by looping the sample session's audio.

Builds clips/utterances/clip_speech tables like the upstream stages would (the sample's four cues
repeated every 16 s, speakers alternating over ``--persons`` persons, 10 s windows), runs
engage.acoustics.acoustics_session once and prints its wall time, its real-time factor, and the
ratio to a reference run on the same machine: one Praat autocorrelation pitch pass (60-600 Hz) over
the whole audio (what the stage does at least twice over the speech part).

    python bench/acoustics.py [--minutes 10] [--persons 6]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import parselmouth
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sessions" / "demo" / "gallery.mp4"
CUES = [(0.0, 4.637), (5.254, 7.819), (8.077, 12.439), (12.796, 16.0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--persons", type=int, default=6)
    args = ap.parse_args()
    from engage.acoustics import acoustics_session

    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        dur = args.minutes * 60
        wav = root / "audio.wav"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-stream_loop", "-1", "-i", str(SAMPLE), "-t",
                        f"{dur:.3f}", "-vn", "-ac", "1", "-ar", "16000", "-acodec", "pcm_s16le", str(wav)], check=True)
        persons = [f"p{i:02d}" for i in range(args.persons)]
        utts, k = [], 0
        for rep in range(int(dur // 16)):
            for a, b in CUES:
                utts.append({"utterance": k + 1, "start": rep * 16 + a, "end": rep * 16 + b, "text": "x",
                             "speaker": persons[k % len(persons)]})
                k += 1
        clips = [{"clip_id": f"b_{w:04d}_{p}", "person": p, "window": w, "start": w * 10.0, "end": w * 10.0 + 10}
                 for w in range(int(dur // 10)) for p in persons]
        pq.write_table(pa.Table.from_pylist(utts), root / "utterances.parquet")
        pq.write_table(pa.Table.from_pylist(clips), root / "clips.parquet")
        speaks = lambda c: any(u["speaker"] == c["person"] and min(u["end"], c["end"]) > max(u["start"], c["start"])
                               for u in utts)
        pq.write_table(pa.Table.from_pylist([{"clip_id": c["clip_id"], "person": c["person"], "has_speech": speaks(c)}
                                             for c in clips]), root / "clip_speech.parquet")
        t0 = time.perf_counter()
        snd = parselmouth.Sound(str(wav))
        snd.to_pitch_ac(time_step=0.01, pitch_floor=60, pitch_ceiling=600)
        ref = time.perf_counter() - t0
        t0 = time.perf_counter()
        acoustics_session(session="bench", clips=root / "clips.parquet", utterances=root / "utterances.parquet",
                          clip_speech=root / "clip_speech.parquet", audio=wav, output=root / "out.parquet")
        dt = time.perf_counter() - t0
        speech = sum(u["end"] - u["start"] for u in utts)
    print(f"audio {dur:.0f} s ({speech:.0f} s attributed speech), {len(clips)} clip rows, {args.persons} persons")
    print(f"reference: one Praat pitch pass over the whole audio {ref:.2f} s")
    print(f"acoustics stage {dt:.2f} s = {dt / dur:.4f} x real time = {dt / ref:.2f} x reference")


if __name__ == "__main__":
    sys.exit(main())
