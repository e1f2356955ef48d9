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

import parselmouth

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sessions" / "demo" / "gallery.mp4"
CUES = [(0.0, 4.637), (5.254, 7.819), (8.077, 12.439), (12.796, 16.0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--persons", type=int, default=6)
    args = ap.parse_args()
    from engage.acoustics import acoustics_session
    from engage.contract import (CLIP_SPEECH, CLIPS, UTTERANCES, Clip, ClipSpeech, Utterance, clip_speech_table,
                                 clips_table, utterances_table)

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
                utts.append(Utterance("b", k + 1, rep * 16 + a, rep * 16 + b, "x", None, persons[k % len(persons)]))
                k += 1
        clips = [Clip(f"b_{w:04d}_{p}", "b", p, w, w * 10.0, w * 10.0 + 10, 250, 1.0, f"clips/b_{w:04d}_{p}.mp4", (),
                      (0, 0, 2, 2)) for w in range(int(dur // 10)) for p in persons]
        UTTERANCES.write(root / "utterances.parquet", utterances_table(utts))
        CLIPS.write(root / "clips.parquet", clips_table(clips))
        speaks = lambda c: [u.utterance for u in utts if u.speaker == c.person and min(u.end, c.end) > max(u.start, c.start)]
        CLIP_SPEECH.write(root / "clip_speech.parquet", clip_speech_table(
            [ClipSpeech(c.clip_id, c.person, 1.0, bool(speaks(c)), tuple(speaks(c))) for c in clips]))
        t0 = time.perf_counter()
        snd = parselmouth.Sound(str(wav))
        snd.to_pitch_ac(time_step=0.01, pitch_floor=60, pitch_ceiling=600)
        ref = time.perf_counter() - t0
        t0 = time.perf_counter()
        acoustics_session(session="bench", clips=root / "clips.parquet", utterances=root / "utterances.parquet",
                          clip_speech=root / "clip_speech.parquet", audio=wav, output=root / "out.parquet")
        dt = time.perf_counter() - t0
        speech = sum(u.end - u.start for u in utts)
    print(f"audio {dur:.0f} s ({speech:.0f} s attributed speech), {len(clips)} clip rows, {args.persons} persons")
    print(f"reference: one Praat pitch pass over the whole audio {ref:.2f} s")
    print(f"acoustics stage {dt:.2f} s = {dt / dur:.4f} x real time = {dt / ref:.2f} x reference")


if __name__ == "__main__":
    sys.exit(main())
