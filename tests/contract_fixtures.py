"""Hand-made stage outputs for tests, built and written through engage.contract (never hand-written schemas).

They let one stage be tested on real data before, and independently of, its upstream stages.
"""

from __future__ import annotations

from pathlib import Path

from engage import TIMELINE_FPS, contract
from engage.contract import Clip, ClipSpeech, Media, Utterance


def clip(session: str, window: int, person: str, start: float, end: float, *, path: str | None = None,
         utterances=(), crop=(0, 0, 2, 2), face_fraction: float = 1.0, identity: str = "") -> Clip:
    """One clips.parquet row with the pipeline's clip_id and path conventions (identity "": <session>/<person>)."""
    cid = f"{session}_{window:04d}_{person}"
    return Clip(cid, session, person, window, float(start), float(end), int(round((end - start) * TIMELINE_FPS)),
                face_fraction, path or f"clips/{cid}.mp4", tuple(utterances), tuple(crop), identity)


def write_clips(path: Path, clips: list[Clip]) -> list[Clip]:
    path.parent.mkdir(parents=True, exist_ok=True)
    contract.CLIPS.write(path, contract.clips_table(clips))
    return clips


def window_clips(session: str, windows: list[tuple[float, float]], persons: list[str]) -> list[Clip]:
    return [clip(session, w, p, a, b) for w, (a, b) in enumerate(windows) for p in persons]


def write_utterances(path: Path, cues: list[tuple[float, float, str, str | None]], session: str = "s1",
                     spec: contract.TableSpec = contract.UTTERANCES) -> list[Utterance]:
    """cues: (start, end, text, speaker); utterance indices 1.. in the given order. ``spec``: UTTERANCES, or
    SPEAKERS (the same rows without text, what clip_speech and acoustics read)."""
    utts = [Utterance(session, i + 1, float(a), float(b), t, None, s, "{}", "asd" if s else None, s)
            for i, (a, b, t, s) in enumerate(cues)]
    path.parent.mkdir(parents=True, exist_ok=True)
    spec.write(path, contract.utterances_table(utts, spec))
    return utts


def write_clip_speech(path: Path, clips: list[Clip], utts: list[Utterance]) -> list[ClipSpeech]:
    """What the clip_speech stage would write if the asd stage agreed exactly with the attribution."""
    rows = []
    for c in clips:
        mine = [u for u in utts if u.speaker == c.person and min(u.end, c.end) > max(u.start, c.start)]
        secs = sum(min(u.end, c.end) - max(u.start, c.start) for u in mine)
        rows.append(ClipSpeech(c.clip_id, c.person, secs, bool(mine), tuple(u.utterance for u in mine)))
    contract.CLIP_SPEECH.write(path, contract.clip_speech_table(rows))
    return rows


def write_tables(root: Path, session: str, windows, persons, cues, *, speakers: bool = False) -> dict:
    """clips, utterances (or, with ``speakers``, speakers: what acoustics reads) and clip_speech tables of one
    session (the speech stages' inputs), keyed by the stage functions' argument names."""
    root.mkdir(parents=True, exist_ok=True)
    clips = write_clips(root / "clips.parquet", window_clips(session, windows, persons))
    if speakers:
        utts = write_utterances(root / "speakers.parquet", cues, session, contract.SPEAKERS)
    else:
        utts = write_utterances(root / "utterances.parquet", cues, session)
    write_clip_speech(root / "clip_speech.parquet", clips, utts)
    cue_table = {"speakers": root / "speakers.parquet"} if speakers else {"utterances": root / "utterances.parquet"}
    return {"clips": root / "clips.parquet", **cue_table, "clip_speech": root / "clip_speech.parquet"}


def write_media(path: Path, width: int, height: int, duration: float, **fields) -> Media:
    """A media.json for a recording of that size and length (timeline frames from the duration)."""
    media = Media(duration=float(duration), width=width, height=height,
                  n_frames=fields.pop("n_frames", int(round(duration * TIMELINE_FPS))), **fields)
    contract.write_media(path, media)
    return media


def write_layout(path: Path, spans: list[tuple[float, float, list[dict]]], frame_size=None,
                 source: str = "override") -> contract.Layout:
    """layout.json from (start, end, tile dicts) spans."""
    layout = contract.Layout(source, None if frame_size is None else tuple(frame_size),
                             tuple(contract.Span(float(a), float(b), tuple(contract.Tile.from_json(t) for t in tiles))
                                   for a, b, tiles in spans))
    contract.write_layout(path, layout)
    return layout


def write_tracks(path: Path, persons: dict[str, tuple[int, int, object]], session: str = "s1",
                 rect=(0, 0, 320, 240)) -> None:
    """tracks.parquet: person -> (first frame, end frame, has_face: bool or a set of frames with a face)."""
    rows = []
    for person, (a, b, has) in sorted(persons.items()):
        for f in range(a, b):
            face = has if isinstance(has, bool) else f in has
            rows.append({"session": session, "person": person, "frame": f, "time": f / TIMELINE_FPS,
                         "tile_x": rect[0], "tile_y": rect[1], "tile_w": rect[2], "tile_h": rect[3],
                         "face_x": 10.0 if face else None, "face_y": 10.0 if face else None,
                         "face_w": 50.0 if face else None, "face_h": 50.0 if face else None,
                         "score": 0.9 if face else None, "detected": f % 5 == 0, "has_face": face})
    path.parent.mkdir(parents=True, exist_ok=True)
    contract.TRACKS.write(path, contract.TRACKS.from_rows(rows))
