"""Praat (Parselmouth) analysis of one stretch of speech: pitch, intensity, voice quality.

Everything here works on numpy samples and returns plain arrays on one time grid (the pitch
frames), so the feature code never touches Praat objects. Praat errors on stretches too short
for the analysis window become empty results, not crashes.
"""

from __future__ import annotations

import logging
import os
import wave
from dataclasses import dataclass, field

import numpy as np
import parselmouth
from parselmouth.praat import call

from engage.errors import SessionError

log = logging.getLogger(__name__)

#: Intensity below this (dB re 2e-5 Pa) is digital silence: Praat reports -300 dB for zeros,
#: which would dominate means and standard deviations. 16-bit quantisation noise is about -2 dB.
INTENSITY_FLOOR_DB = 0.0
#: Praat's standard jitter/shimmer arguments (period floor/ceiling s, max period/amplitude factor).
PERIOD_FLOOR, PERIOD_CEILING, MAX_PERIOD_FACTOR, MAX_AMPLITUDE_FACTOR = 0.0001, 0.02, 1.3, 1.6


class WavReader:
    """Random access to a 16-bit PCM mono WAV (the ingest stage's audio.wav) without loading it all."""

    def __init__(self, path: str | os.PathLike, session: str):
        self.path = path
        try:
            self._w = wave.open(str(path), "rb")
        except FileNotFoundError:
            raise SessionError(session, path, "audio not found") from None
        except (wave.Error, EOFError) as err:
            raise SessionError(session, path, f"not a PCM WAV file ({err})") from None
        if self._w.getsampwidth() != 2 or self._w.getnchannels() != 1:
            raise SessionError(session, path, f"expected 16-bit mono PCM, got {self._w.getnchannels()} channel(s) "
                                              f"of {8 * self._w.getsampwidth()} bit")
        self.rate = self._w.getframerate()
        self.n = self._w.getnframes()
        self.duration = self.n / self.rate

    def read(self, t0: float, t1: float) -> tuple[np.ndarray, float]:
        """Samples (float64 in [-1, 1]) of ``[t0, t1)`` clipped to the file, and the start time they begin at."""
        i0 = max(0, int(np.floor(t0 * self.rate)))
        i1 = min(self.n, int(np.ceil(t1 * self.rate)))
        if i1 <= i0:
            return np.zeros(0), i0 / self.rate
        self._w.setpos(i0)
        raw = np.frombuffer(self._w.readframes(i1 - i0), dtype="<i2")
        return raw.astype(np.float64) / 32768.0, i0 / self.rate

    def close(self) -> None:
        self._w.close()


@dataclass
class SegmentAnalysis:
    """Frames of one analysed stretch ``[start, end)`` on the pitch time grid (absolute seconds)."""

    start: float
    end: float
    times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    f0: np.ndarray = field(default_factory=lambda: np.zeros(0))  # Hz, NaN where unvoiced
    intensity: np.ndarray = field(default_factory=lambda: np.zeros(0))  # dB, floored at INTENSITY_FLOOR_DB
    hnr_times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hnr: np.ndarray = field(default_factory=lambda: np.zeros(0))  # dB, NaN where unvoiced
    sound: parselmouth.Sound | None = None
    points: parselmouth.Data | None = None  # PointProcess (glottal pulses) for jitter/shimmer


def to_sound(samples: np.ndarray, rate: int, t_start: float) -> parselmouth.Sound:
    return parselmouth.Sound(samples, sampling_frequency=rate, start_time=t_start)


def pitch_values(sound: parselmouth.Sound, floor: float, ceiling: float, step: float):
    """Autocorrelation pitch (Praat ``To Pitch (ac)``): frame times, f0 in Hz (NaN unvoiced), Pitch object.

    The Pitch object is None when the stretch is shorter than Praat's analysis window.
    """
    try:
        pitch = sound.to_pitch_ac(time_step=step, pitch_floor=floor, pitch_ceiling=ceiling)
    except parselmouth.PraatError:
        return np.zeros(0), np.zeros(0), None
    f0 = pitch.selected_array["frequency"].astype(np.float64)
    f0[f0 <= 0] = np.nan
    return np.asarray(pitch.xs(), dtype=np.float64), f0, pitch


def analyse_segment(sound: parselmouth.Sound, start: float, end: float, floor: float, ceiling: float,
                    step: float, voice_quality: bool = True) -> SegmentAnalysis:
    """Pitch, intensity (sampled at the pitch frames) and, optionally, pulses and HNR of ``[start, end)``.

    ``sound`` may extend beyond ``[start, end)`` (padding keeps edge frames complete); only frames
    whose centre lies inside ``[start, end)`` are kept.
    """
    seg = SegmentAnalysis(start, end)
    times, f0, pitch = pitch_values(sound, floor, ceiling, step)
    keep = (times >= start) & (times < end)
    if not keep.any():
        return seg
    try:
        inten = sound.to_intensity(minimum_pitch=floor, time_step=step)
        it, iv = np.asarray(inten.xs()), np.asarray(inten.values[0], dtype=np.float64)
        db = np.interp(times, it, iv) if len(it) else np.full(len(times), INTENSITY_FLOOR_DB)
    except parselmouth.PraatError:
        db = np.full(len(times), INTENSITY_FLOOR_DB)
    seg.times, seg.f0 = times[keep], f0[keep]
    seg.intensity = np.maximum(db[keep], INTENSITY_FLOOR_DB)
    if voice_quality and np.isfinite(seg.f0).any():
        try:
            seg.points = call([sound, pitch], "To PointProcess (cc)")
            seg.sound = sound
            harm = sound.to_harmonicity_cc(time_step=step, minimum_pitch=floor, silence_threshold=0.1,
                                           periods_per_window=1.0)
            ht, hv = np.asarray(harm.xs()), np.asarray(harm.values[0], dtype=np.float64)
            hv[hv <= -199] = np.nan  # Praat marks unvoiced frames with -200 dB
            hk = (ht >= start) & (ht < end)
            seg.hnr_times, seg.hnr = ht[hk], hv[hk]
        except parselmouth.PraatError as err:
            log.debug("voice quality failed on %.2f-%.2f s: %s", start, end, err)
            seg.points = seg.sound = None
    return seg


def jitter_shimmer(seg: SegmentAnalysis, t0: float, t1: float) -> tuple[float, float]:
    """Local jitter and local shimmer (fractions) of the pulses in ``[t0, t1]``; NaN when undefined."""
    if seg.points is None or seg.sound is None:
        return float("nan"), float("nan")
    try:
        jit = call(seg.points, "Get jitter (local)", t0, t1, PERIOD_FLOOR, PERIOD_CEILING, MAX_PERIOD_FACTOR)
        shim = call([seg.sound, seg.points], "Get shimmer (local)", t0, t1, PERIOD_FLOOR, PERIOD_CEILING,
                    MAX_PERIOD_FACTOR, MAX_AMPLITUDE_FACTOR)
    except parselmouth.PraatError:
        return float("nan"), float("nan")
    return float(jit), float(shim)  # Praat returns undefined as NaN
