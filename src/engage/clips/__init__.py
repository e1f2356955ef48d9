"""Clips stage: utterance-aligned ~10 s windows and per-person tile-crop clips."""

from engage.clips.stage import cut_clips_session

__all__ = ["cut_clips_session"]
