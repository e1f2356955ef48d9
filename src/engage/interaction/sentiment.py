"""VADER sentiment (lexicon + rules, offline): compound score in [-1, 1] per text."""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from engage.io.hashing import sha256_file

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _analyzer():
    # Imported lazily: building the analyzer reads the bundled lexicon files (no network).
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=65536)
def compound(text: str | None) -> float | None:
    """VADER compound score of ``text``; None when the text has no word characters."""
    if not text or not any(ch.isalnum() for ch in text):
        return None
    return float(_analyzer().polarity_scores(text)["compound"])


def model_info() -> dict:
    """Name/version of the analyser and sha256 of its lexicon (recorded in Parquet metadata)."""
    import vaderSentiment

    lexicon = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    try:
        version = metadata.version("vaderSentiment")
    except metadata.PackageNotFoundError:  # pragma: no cover - vendored copies
        version = "unknown"
    return {
        "sentiment_model": f"vaderSentiment=={version}",
        "sentiment_lexicon_sha256": sha256_file(lexicon) if lexicon.exists() else None,
    }
