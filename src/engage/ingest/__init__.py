"""Ingest stage: probe the recording, fix the 25 fps timeline, extract 16 kHz mono audio."""

from engage.ingest.stage import ingest_session

__all__ = ["ingest_session"]
