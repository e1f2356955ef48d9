"""Hand-built clips/utterances/clip_speech tables shared by the acoustics and text tests (no tests here).

They mimic what the clips and asd stages write (docs/data-contract.md) so the speech stages can be
tested on real audio before, and independently of, those stages.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write_clips(path: Path, session: str, windows: list[tuple[float, float]], persons: list[str]) -> list[dict]:
    rows = []
    for w, (a, b) in enumerate(windows):
        for p in persons:
            rows.append({"clip_id": f"{session}_{w:04d}_{p}", "session": session, "person": p, "window": w,
                         "start": float(a), "end": float(b)})
    pq.write_table(pa.Table.from_pylist(rows), path)
    return rows


def write_utterances(path: Path, cues: list[tuple[float, float, str, str | None]]) -> list[dict]:
    """cues: (start, end, text, speaker)."""
    rows = [{"utterance": i + 1, "start": float(a), "end": float(b), "text": t, "voice": None, "speaker": s,
             "evidence": "{}"} for i, (a, b, t, s) in enumerate(cues)]
    schema = pa.schema([("utterance", pa.int32()), ("start", pa.float64()), ("end", pa.float64()),
                        ("text", pa.string()), ("voice", pa.string()), ("speaker", pa.string()),
                        ("evidence", pa.string())])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return rows


def write_clip_speech(path: Path, clips: list[dict], utts: list[dict]) -> None:
    rows = []
    for c in clips:
        mine = [u for u in utts if u["speaker"] == c["person"] and min(u["end"], c["end"]) > max(u["start"], c["start"])]
        secs = sum(min(u["end"], c["end"]) - max(u["start"], c["start"]) for u in mine)
        rows.append({"clip_id": c["clip_id"], "person": c["person"], "speech_seconds": secs, "has_speech": bool(mine),
                     "utterances": [u["utterance"] for u in mine]})
    schema = pa.schema([("clip_id", pa.string()), ("person", pa.string()), ("speech_seconds", pa.float64()),
                        ("has_speech", pa.bool_()), ("utterances", pa.list_(pa.int32()))])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def write_tables(root: Path, session: str, windows, persons, cues) -> dict:
    root.mkdir(parents=True, exist_ok=True)
    clips = write_clips(root / "clips.parquet", session, windows, persons)
    utts = write_utterances(root / "utterances.parquet", cues)
    write_clip_speech(root / "clip_speech.parquet", clips, utts)
    return {"clips": root / "clips.parquet", "utterances": root / "utterances.parquet",
            "clip_speech": root / "clip_speech.parquet"}
