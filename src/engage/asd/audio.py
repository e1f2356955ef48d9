"""Audio features exactly as the public ASD demos compute them: 13 MFCC at 100 Hz
(python_speech_features, 25 ms windows, 10 ms step) on the raw 16-bit samples of 16 kHz mono audio.

The demos cut the audio of each face track and run MFCC on the cut; MFCC frames are local (25 ms),
so computing them once for the whole session and slicing ``[4 * f0 : 4 * f1]`` for video frames
``f0..f1`` gives the same numbers (4 MFCC frames per 25 fps video frame) at a fraction of the cost.
"""

from __future__ import annotations

import logging
import os
import wave

import numpy as np
import python_speech_features

from engage import TIMELINE_FPS
from engage.errors import SessionError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
MFCC_RATE = 100  # frames per second (winstep 10 ms)
MFCC_PER_FRAME = MFCC_RATE // TIMELINE_FPS  # 4


def read_wav_int16(path: str | os.PathLike, session: str | None = None) -> np.ndarray:
    """Samples of a 16 kHz mono 16-bit PCM WAV as int16 (the scale the models were trained on)."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != SAMPLE_RATE:
                raise SessionError(session, path, f"audio must be 16 kHz mono 16-bit PCM (got {w.getframerate()} Hz, "
                                   f"{w.getnchannels()} channels, {8 * w.getsampwidth()} bit); set ingest.audio_rate: 16000")
            return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)
    except (wave.Error, EOFError) as err:
        raise SessionError(session, path, f"unreadable WAV ({err})") from None


def session_mfcc(samples: np.ndarray, n_frames: int) -> np.ndarray:
    """(4 * n_frames, 13) float32 MFCC covering video frames 0..n_frames-1.

    Audio shorter than the video is padded with digital silence so every frame has features.
    """
    need = n_frames * (SAMPLE_RATE // TIMELINE_FPS) + int(0.025 * SAMPLE_RATE)
    if len(samples) < need:
        samples = np.concatenate([samples, np.zeros(need - len(samples), dtype=samples.dtype)])
    mfcc = python_speech_features.mfcc(samples, SAMPLE_RATE, numcep=13, winlen=0.025, winstep=0.010)
    return np.ascontiguousarray(mfcc[: n_frames * MFCC_PER_FRAME], dtype=np.float32)
