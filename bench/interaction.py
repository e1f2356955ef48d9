#!/usr/bin/env python3
"""Interaction stage cost on a synthetic long session (default: 2 h, 20 persons, 10 s windows).

Builds clips/utterances/layout/chat/participants like the upstream stages would (random but seeded),
runs engage.interaction.interaction_session once and prints its wall time, the fraction of the
recording duration it took, and the ratio to a reference run on the same machine: reading the
inputs with pyarrow and writing a Parquet table of the same shape through write_table (I/O floor).

    python bench/interaction.py [--hours 2] [--persons 20] [--cues-per-min 20] [--chat 600]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from engage.contract import (CLIPS, INTERACTION, UTTERANCES, Clip, Layout, Span, Tile, Utterance, clips_table,
                             utterances_table, write_layout)
from engage.interaction import interaction_session

WORDS = "good great bad fine yes no maybe I think this is really confusing love hate the gradient slope".split()


def build(root: Path, hours: float, persons: int, cues_per_min: float, n_chat: int) -> float:
    rnd = random.Random(0)
    dur = hours * 3600
    ids = [f"p{i:02d}" for i in range(persons)]
    clips = [Clip(f"b_{w:04d}_{p}", "b", p, w, w * 10.0, w * 10.0 + 10.0, 250, 1.0, f"clips/b_{w:04d}_{p}.mp4", (),
                  (0, 0, 2, 2)) for w in range(int(dur // 10)) for p in ids]
    CLIPS.write(root / "clips.parquet", clips_table(clips))
    n = int(cues_per_min * dur / 60)
    starts = sorted(rnd.uniform(0, dur - 5) for _ in range(n))
    utt = []
    for i, s in enumerate(starts):
        end, speaker = s + rnd.uniform(0.5, 5), rnd.choice(ids + [None])
        utt.append(Utterance("b", i + 1, s, end, " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 20))),
                             None, speaker))
    UTTERANCES.write(root / "utterances.parquet", utterances_table(utt))
    write_layout(root / "layout.json", Layout("detected", None, (Span(0.0, dur, tuple(Tile(p, 0, 0, 2, 2) for p in ids)),)))
    (root / "participants.csv").write_text("person,name\n" + "".join(f"{p},Student {p}\n" for p in ids))
    lines = []
    for t in sorted(rnd.uniform(0, dur) for _ in range(n_chat)):
        h, m, s = int(t // 3600), int(t % 3600 // 60), int(t % 60)
        who = f"Student {rnd.choice(ids)}" if rnd.random() < 0.9 else "Teacher"
        lines.append(f"{h:02d}:{m:02d}:{s:02d} From {who} to Everyone: {' '.join(rnd.sample(WORDS, 5))}")
    (root / "chat.txt").write_text("\n".join(lines) + "\n")
    return dur


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--persons", type=int, default=20)
    ap.add_argument("--cues-per-min", type=float, default=20.0)
    ap.add_argument("--chat", type=int, default=600)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dur = build(root, args.hours, args.persons, args.cues_per_min, args.chat)
        t0 = time.perf_counter()
        clips = CLIPS.read(root / "clips.parquet", session="b")
        UTTERANCES.read(root / "utterances.parquet", session="b")
        ref_rows = [{f.name: (0 if pa.types.is_integer(f.type) else 0.0 if pa.types.is_floating(f.type) else "x")
                     for f in INTERACTION.schema()} for _ in range(clips.num_rows)]
        INTERACTION.write(root / "ref.parquet", INTERACTION.from_rows(ref_rows))
        t_ref = time.perf_counter() - t0
        t0 = time.perf_counter()
        interaction_session(session="b", clips=root / "clips.parquet", utterances=root / "utterances.parquet",
                            layout=root / "layout.json", chat=root / "chat.txt", participants=root / "participants.csv",
                            out_features=root / "out.parquet", out_csv=root / "p.csv", out_png=root / "p.png")
        t_stage = time.perf_counter() - t0
    print(f"session {args.hours:g} h, {args.persons} persons, {clips.num_rows} clips, "
          f"{int(args.cues_per_min * dur / 60)} cues, {args.chat} chat messages")
    print(f"interaction stage: {t_stage:.2f} s = {t_stage / dur:.5f} x recording duration")
    print(f"I/O reference:     {t_ref:.2f} s; stage / reference = {t_stage / max(t_ref, 1e-9):.1f}")


if __name__ == "__main__":
    main()
