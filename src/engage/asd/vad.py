"""Voice activity on the session audio: a frame can only be "speaking" when someone is audible.

Active-speaker models score lip/audio synchrony and keep a temporal state (BGRU), so they tend to
carry "speaking" through pauses and to score mouth movement during silence. AVA's label is
SPEAKING_AUDIBLE; we enforce the "audible" half with Silero VAD (MIT, the model ships inside the
``silero-vad`` wheel, runs offline on CPU at >50x real time), with its default settings
(threshold 0.5, minimum speech 250 ms, minimum silence 100 ms, 30 ms padding).
"""

from __future__ import annotations

import logging

import numpy as np

from engage import TIMELINE_FPS

log = logging.getLogger(__name__)

VAD_CHOICES = ("silero", "none")


def vad_version() -> str:
    from importlib.metadata import version

    return f"silero-vad {version('silero-vad')}"


def voice_activity(samples: np.ndarray, n_frames: int, method: str = "silero", rate: int = 16000) -> np.ndarray:
    """Bool per timeline frame: the frame time f/25 lies inside a detected speech segment."""
    if method == "none":
        return np.ones(n_frames, bool)
    if method != "silero":
        raise ValueError(f"unknown VAD '{method}' (valid: {', '.join(VAD_CHOICES)})")
    import torch
    from silero_vad import get_speech_timestamps, load_silero_vad

    audio = torch.from_numpy(samples.astype(np.float32) / 32768.0)
    segments = get_speech_timestamps(audio, load_silero_vad(), sampling_rate=rate, return_seconds=False)
    t = np.arange(n_frames) * (rate / TIMELINE_FPS)  # frame start in samples
    active = np.zeros(n_frames, bool)
    for seg in segments:
        active |= (t >= seg["start"]) & (t < seg["end"])
    log.info("voice activity: %d segments, %.1f s of %.1f s", len(segments), active.sum() / TIMELINE_FPS, n_frames / TIMELINE_FPS)
    return active
