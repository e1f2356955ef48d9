"""cues stage: ``cues.parquet``, the cue times and voice names of the transcript without the text.

Why a stage of its own: clips are cut at cue times and speakers are attributed by cue time and voice
name; neither reads the text. If they read the transcript, fixing a typo in one cue would recut every
clip and rerun face, I3D, ASD and acoustics (minutes to hours) for byte-identical outputs. The rule reads
the transcript as ``ancient`` (its modification time does not trigger a rerun) and takes
:func:`cue_times_digest` as a parameter, so it reruns exactly when a time or a voice name changes.

It also checks the cue times against the recording: a cue that starts at or after the end of the
video, or runs past it, is a sign of a transcript from another recording or cut differently; both are
counted and warned about (metadata ``warnings``, shown in the report).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Sequence

from engage.contract import CUES, Utterance, read_media, utterances_table
from engage.errors import SessionError
from engage.transcript import Cue, read_transcript

log = logging.getLogger(__name__)

#: A cue may end this much after the recording without a warning (rounding of exported times).
END_TOLERANCE_S = 0.5


def cue_rows(session: str, cues: Sequence[Cue]) -> list[Utterance]:
    return [Utterance(session, c.index, c.start, c.end, "", c.voice) for c in cues]


def cue_times_digest(transcript: str | os.PathLike | None) -> str:
    """sha256 of the transcript's cue times and voice names (not the text); ``none`` without a transcript.

    Used as a rule parameter at DAG time, so it never raises: a file that cannot be read gets the digest
    of its bytes (the rule then runs and reports the problem in one line).
    """
    if not transcript:
        return "none"
    path = Path(transcript)
    was = logging.root.manager.disable  # the transcript's warnings belong to the rule's log, not to planning
    logging.disable(logging.WARNING)
    try:
        cues = read_transcript(path)
    except (SessionError, OSError, ValueError):
        try:
            return "unreadable-" + hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return "missing"
    finally:
        logging.disable(was)
    doc = json.dumps([[c.index, c.start, c.end, c.voice] for c in cues], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def end_of_recording_warnings(cues: Sequence[Cue], duration: float, transcript_name: str) -> list[str]:
    """Warnings for cues entirely after the recording's end and for cues running past it."""
    after = [c for c in cues if c.start >= duration]
    past = [c for c in cues if c.start < duration and c.end > duration + END_TOLERANCE_S]
    out = []
    if after:
        out.append(f"{transcript_name}: {len(after)} cue(s) start after the end of the recording ({duration:.2f} s), "
                   f"first at {after[0].start:.2f} s: they get no clip and no speaker (transcript of another recording?)")
    if past:
        worst = max(past, key=lambda c: c.end)
        out.append(f"{transcript_name}: {len(past)} cue(s) run past the end of the recording ({duration:.2f} s), "
                   f"up to {worst.end:.2f} s (cue {worst.index}): only their part inside the recording is used")
    return out


def write_cues_session(*, session: str, transcript: str | os.PathLike | None, media_json: str | os.PathLike,
                       output: str | os.PathLike, times_digest: str = "") -> dict:
    """Write cues.parquet (empty without a transcript) with the end-of-recording warnings in its metadata.

    ``times_digest``: the rule's :func:`cue_times_digest` parameter (what makes it rerun), recorded."""
    media = read_media(media_json, session=session)
    cues = read_transcript(transcript, session) if transcript else []
    name = Path(transcript).name if transcript else ""
    warnings = end_of_recording_warnings(cues, media.duration, name) if cues else []
    for w in warnings:
        log.warning("session '%s': %s", session, w)
    CUES.write(output, utterances_table(cue_rows(session, cues), CUES),
               meta={"transcript": name or None, "warnings": warnings, "duration": media.duration,
                     "times_digest": times_digest})
    log.info("session '%s': %d cues from %s", session, len(cues), name or "no transcript")
    return {"cues": len(cues), "warnings": len(warnings)}
