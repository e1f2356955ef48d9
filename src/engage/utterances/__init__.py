"""utterances stage: speakers.parquet joined with each cue's text (utterances.parquet)."""

from engage.utterances.stage import join_text_session

__all__ = ["join_text_session"]
