"""speakers stage: who spoke each transcript cue, by display name and active-speaker evidence."""

from engage.speakers.stage import attribute_speakers_session

__all__ = ["attribute_speakers_session"]
