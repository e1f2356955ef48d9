"""Tracks stage: per-person face boxes inside gallery tiles (MediaPipe face detection)."""

from engage.tracks.stage import track_session

__all__ = ["track_session"]
