"""cues stage: the transcript's cue times and voice names, apart from the text (cues.parquet)."""

from engage.cues.stage import cue_times_digest, end_of_recording_warnings, write_cues_session

__all__ = ["cue_times_digest", "end_of_recording_warnings", "write_cues_session"]
