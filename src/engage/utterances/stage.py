"""utterances stage for one session: speakers.parquet + the transcript's text -> utterances.parquet.

The only per-cue stage that reads cue text besides text and interaction: a text-only transcript edit
reruns it (milliseconds) and the stages that read text, nothing upstream (docs/robustness.md).
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace

from engage.contract import UTTERANCES, read_speakers, utterances_table
from engage.errors import SessionError
from engage.transcript import read_transcript

log = logging.getLogger(__name__)


def join_text_session(*, session: str, speakers: str | os.PathLike, transcript: str | os.PathLike | None,
                      output: str | os.PathLike) -> dict:
    """Write utterances.parquet: every speakers.parquet row with the text of its cue."""
    rows = read_speakers(speakers, session=session)
    cues = {c.index: c for c in read_transcript(transcript, session)} if transcript else {}
    out = []
    for r in rows:
        c = cues.get(r.utterance)
        if c is None or (c.start, c.end) != (r.start, r.end):
            raise SessionError(session, transcript or speakers, f"cue {r.utterance} of speakers.parquet is not in the "
                               "transcript any more (the transcript changed during the run: run again)")
        out.append(replace(r, text=c.text))
    if len(cues) != len(rows):
        raise SessionError(session, transcript or speakers, f"{len(cues)} cues in the transcript but {len(rows)} in "
                           "speakers.parquet (the transcript changed during the run: run again)")
    UTTERANCES.write(output, utterances_table(out), meta={"transcript": os.path.basename(transcript) if transcript else None})
    log.info("session '%s': wrote %d utterances", session, len(out))
    return {"utterances": len(out)}
