"""acoustics stage: Praat pitch and intensity of each person's attributed speech per clip (CMOSE X_aud)."""

from engage.acoustics.stage import acoustics_session

__all__ = ["acoustics_session"]
