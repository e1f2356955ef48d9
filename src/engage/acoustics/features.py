"""The CMOSE audio vector X_aud = [L, Hv, Lv, Hp, Lp, std_v, std_p] and the speaker-relative references.

"High" and "low" are relative to the *speaker*: a loud speaker is not "high volume" all the time.
The references (mean and standard deviation of intensity over all of the speaker's attributed speech
frames in the session, and of pitch over the voiced ones) are computed once per speaker and session.
All standard deviations are population standard deviations (ddof = 0). Definitions are written out
in docs/features/acoustics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Pitch range of the second pass from the first pass's quartiles (Hirst 2011, after De Looze & Hirst 2008).
FLOOR_FACTOR, CEILING_FACTOR = 0.75, 1.5
#: Fewer voiced first-pass frames than this (0.2 s at 10 ms) are too few for quartiles: keep the first-pass range.
MIN_VOICED_FOR_RANGE = 20


def semitones(f0_hz: np.ndarray) -> np.ndarray:
    """Semitones re 1 Hz (12 log2 f); differences and standard deviations do not depend on the reference."""
    return 12.0 * np.log2(f0_hz)


def speaker_pitch_range(first_pass_f0: np.ndarray, floor: float, ceiling: float,
                        floor_factor: float = FLOOR_FACTOR, ceiling_factor: float = CEILING_FACTOR) -> tuple[float, float, str]:
    """Second-pass (floor, ceiling) from first-pass voiced f0: ``floor_factor*q25``, ``ceiling_factor*q75``.

    Returns the first-pass range with source ``"first-pass"`` when there are too few voiced frames.
    The result stays inside [floor * floor_factor, ceiling * ceiling_factor] by construction.
    """
    f0 = first_pass_f0[np.isfinite(first_pass_f0)]
    if len(f0) < MIN_VOICED_FOR_RANGE:
        return float(floor), float(ceiling), "first-pass"
    q25, q75 = np.quantile(f0, [0.25, 0.75])
    lo, hi = float(floor_factor * q25), float(ceiling_factor * q75)
    if hi <= lo * 1.5:  # degenerate (e.g. a pure tone): keep at least half an octave of room
        hi = lo * 1.5
    return round(lo, 3), round(hi, 3), "two-pass"


@dataclass(frozen=True)
class SpeakerReference:
    """Session-level reference of one speaker (over all attributed speech frames)."""

    intensity_mean: float | None
    intensity_std: float | None
    pitch_mean: float | None  # Hz, voiced frames
    pitch_std: float | None  # Hz, voiced frames
    n_frames: int
    n_voiced: int


def speaker_reference(intensity_db: np.ndarray, f0_hz: np.ndarray) -> SpeakerReference:
    v = f0_hz[np.isfinite(f0_hz)]
    n = len(intensity_db)
    return SpeakerReference(
        float(np.mean(intensity_db)) if n else None,
        float(np.std(intensity_db)) if n else None,
        float(np.mean(v)) if len(v) else None,
        float(np.std(v)) if len(v) else None,
        n,
        len(v),
    )


def _share(mask: np.ndarray) -> float | None:
    return float(np.mean(mask)) if len(mask) else None


def x_aud(speech_seconds: float, intensity_db: np.ndarray, f0_hz: np.ndarray, ref: SpeakerReference) -> dict:
    """X_aud of one clip from its frames (intensity of every speech frame, f0 NaN where unvoiced).

    Shares are fractions in [0, 1]; a value is None where it is undefined (no frames / no voiced frames).
    """
    voiced = f0_hz[np.isfinite(f0_hz)]
    out = {"L": float(speech_seconds), "Hv": None, "Lv": None, "Hp": None, "Lp": None, "std_v": None, "std_p": None}
    if len(intensity_db) and ref.intensity_mean is not None:
        hi_v = ref.intensity_mean + ref.intensity_std
        lo_v = ref.intensity_mean - ref.intensity_std
        out["Hv"] = _share(intensity_db > hi_v)
        out["Lv"] = _share(intensity_db < lo_v)
        out["std_v"] = float(np.std(intensity_db))
    if len(voiced) and ref.pitch_mean is not None:
        hi_p = ref.pitch_mean + ref.pitch_std
        lo_p = ref.pitch_mean - ref.pitch_std
        out["Hp"] = _share(voiced > hi_p)
        out["Lp"] = _share(voiced < lo_p)
        out["std_p"] = float(np.std(semitones(voiced)))
    return out
