"""Typed rows of the small per-clip and per-cue tables (clips, cues, speakers, utterances, clip_speech).

The per-frame tables (tracks, asd, face) are read as Arrow tables through their specs; these three
are small (one row per clip or cue) and several stages use them row by row, so they are read once
here into frozen dataclasses, checked and sorted the same way for every stage.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from engage.contract.spec import TableSpec
from engage.contract.tables import CLIP_SPEECH, CLIPS, CUES, SPEAKERS, UTTERANCES
from engage.errors import SessionError
from engage.identity import session_identity


@dataclass(frozen=True)
class Clip:
    """One clips.parquet row: a person's window ``[start, end)`` and its video (relative ``path``)."""

    clip_id: str
    session: str
    person: str
    window: int
    start: float
    end: float
    n_frames: int
    face_fraction: float
    path: str
    utterances: tuple[int, ...]
    crop: tuple[int, int, int, int]
    identity: str = ""  # the person's identity across sessions; "" = ``<session>/<person>`` (engage.identity)

    def __post_init__(self):
        if not self.identity:
            object.__setattr__(self, "identity", session_identity(self.session, self.person))

    def window_keys(self) -> dict:
        """The clip window columns a per-clip feature table copies (clip_id ... end, identity included)."""
        return dict(clip_id=self.clip_id, session=self.session, person=self.person, identity=self.identity,
                    window=self.window, start=self.start, end=self.end)

    def to_row(self) -> dict:
        x, y, w, h = self.crop
        return dict(clip_id=self.clip_id, session=self.session, person=self.person, identity=self.identity,
                    window=self.window,
                    start=self.start, end=self.end, n_frames=self.n_frames, face_fraction=self.face_fraction,
                    path=self.path, utterances=list(self.utterances), crop_x=x, crop_y=y, crop_w=w, crop_h=h)


@dataclass(frozen=True)
class Utterance:
    """One cue row (cues, speakers or utterances table): a transcript cue and the person it is attributed
    to (or None). ``text`` is "" where the table has no text (cues, speakers)."""

    session: str
    utterance: int
    start: float
    end: float
    text: str
    voice: str | None = None
    speaker: str | None = None
    evidence: str = "{}"
    speaker_source: str | None = None  # "name" | "asd" | None
    asd_speaker: str | None = None
    name_speaker: str | None = None

    def to_row(self) -> dict:
        return dict(session=self.session, utterance=self.utterance, start=self.start, end=self.end, text=self.text,
                    voice=self.voice, speaker=self.speaker, speaker_source=self.speaker_source,
                    asd_speaker=self.asd_speaker, name_speaker=self.name_speaker, evidence=self.evidence)


@dataclass(frozen=True)
class ClipSpeech:
    """One clip_speech.parquet row."""

    clip_id: str
    person: str
    speech_seconds: float
    has_speech: bool
    utterances: tuple[int, ...]

    def to_row(self) -> dict:
        return dict(clip_id=self.clip_id, person=self.person, speech_seconds=self.speech_seconds,
                    has_speech=self.has_speech, utterances=list(self.utterances))


def _nulls(rows: list[dict], keys: tuple[str, ...]) -> bool:
    return any(r[k] is None for r in rows for k in keys)


def read_clips(path: str | os.PathLike, *, session: str | None) -> list[Clip]:
    """Clips sorted by clip_id; null keys, ``end <= start`` or a repeated clip_id are bad input."""
    rows = CLIPS.read(path, session=session).to_pylist()
    if _nulls(rows, ("clip_id", "person", "identity", "window", "start", "end", "path")):
        raise SessionError(session, path, "clips table has null clip_id/person/identity/window/start/end/path")
    ids = [r["clip_id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise SessionError(session, path, "duplicate clip_id values")
    out = []
    for r in sorted(rows, key=lambda r: r["clip_id"]):
        if not r["end"] > r["start"]:
            raise SessionError(session, path, f"clip {r['clip_id']} has end <= start")
        out.append(Clip(str(r["clip_id"]), str(r["session"]), str(r["person"]), int(r["window"]), float(r["start"]),
                        float(r["end"]), int(r["n_frames"] or 0), float(r["face_fraction"] or 0.0), str(r["path"]),
                        tuple(r["utterances"] or ()),
                        tuple(int(r[f"crop_{k}"] or 0) for k in "xywh"),  # type: ignore[arg-type]
                        str(r["identity"] or "")))
    return out


def clip_videos(clips_parquet: str | os.PathLike, clips: list[Clip], *, session: str | None) -> list[Path]:
    """The clip videos (paths are relative to the clips table's folder); a missing one is bad input."""
    base = Path(clips_parquet).parent
    out = []
    for c in clips:
        video = base / c.path
        if not video.is_file():
            raise SessionError(session, video, f"video of clip {c.clip_id} listed in {Path(clips_parquet).name} is missing")
        out.append(video)
    return out


def _read_cue_rows(spec: TableSpec, path: str | os.PathLike, session: str | None) -> list[Utterance]:
    """Rows of a per-cue table sorted by (start, end, utterance); missing columns read as empty."""
    out = []
    for r in spec.read(path, session=session).to_pylist():
        start, end = r["start"], r["end"]
        if r["utterance"] is None or start is None or end is None or not (math.isfinite(start) and math.isfinite(end)):
            raise SessionError(session, path, f"utterance {r['utterance']} has no valid utterance/start/end")
        out.append(Utterance(str(r["session"]), int(r["utterance"]), float(start), float(end), r.get("text") or "",
                             r["voice"], r.get("speaker") or None, r.get("evidence") or "{}",
                             r.get("speaker_source") or None, r.get("asd_speaker") or None,
                             r.get("name_speaker") or None))
    out.sort(key=lambda u: (u.start, u.end, u.utterance))
    return out


def read_cues(path: str | os.PathLike, *, session: str | None) -> list[Utterance]:
    """cues.parquet: cue times and voice names (no text, no speaker)."""
    return _read_cue_rows(CUES, path, session)


def read_speakers(path: str | os.PathLike, *, session: str | None) -> list[Utterance]:
    """speakers.parquet: who spoke each cue (no text)."""
    return _read_cue_rows(SPEAKERS, path, session)


def read_utterances(path: str | os.PathLike, *, session: str | None) -> list[Utterance]:
    """utterances.parquet: who said what; null text reads as "" and an empty speaker as None."""
    return _read_cue_rows(UTTERANCES, path, session)


def read_clip_speech(path: str | os.PathLike, *, session: str | None) -> list[ClipSpeech]:
    """clip_speech rows sorted by (clip_id, person)."""
    rows = CLIP_SPEECH.read(path, session=session).to_pylist()
    if _nulls(rows, ("clip_id", "person")):
        raise SessionError(session, path, "clip speech table has null clip_id/person")
    out = [ClipSpeech(str(r["clip_id"]), str(r["person"]), float(r["speech_seconds"] or 0.0), bool(r["has_speech"]),
                      tuple(r["utterances"] or ())) for r in rows]
    return sorted(out, key=lambda c: (c.clip_id, c.person))


def clips_table(clips: list[Clip]) -> pa.Table:
    return CLIPS.from_rows([c.to_row() for c in clips])


def utterances_table(utterances: list[Utterance], spec: TableSpec = UTTERANCES) -> pa.Table:
    """A per-cue table (UTTERANCES, SPEAKERS or CUES) from rows; columns the spec lacks are left out."""
    names = set(spec.schema().names)
    return spec.from_rows([{k: v for k, v in u.to_row().items() if k in names} for u in utterances])


def clip_speech_table(rows: list[ClipSpeech]) -> pa.Table:
    return CLIP_SPEECH.from_rows([r.to_row() for r in rows])
