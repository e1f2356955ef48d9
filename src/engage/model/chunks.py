"""The CMOSE paper's summary of a clip's per-frame (OpenFace) features: per-chunk min, max and variance.

The high-level sequence (N frames x D features) is repeated until it has at least ``min_frames`` frames
(250 = 10 s at 25 fps), split into ``T`` equal chunks along time, and each chunk is summarised by
its per-feature minimum, maximum and (population) variance, giving a (3D, T) array for the TCN:
rows ``0..D-1`` are the minima, ``D..2D-1`` the maxima, ``2D..3D-1`` the variances.

Failed frames (no face, ``success = 0``) carry NaN features. They are ignored inside a chunk
(nan-aware statistics); a chunk with no valid value for a feature gets 0 for min, max and variance
(the "no information" value a zero-padded TCN input expects). A clip without any valid frame
therefore gives all zeros, and so does a clip without frames. Repetition happens on the full
sequence (valid and failed frames alike) so chunk boundaries stay on the clip's own timeline.
"""

from __future__ import annotations

import numpy as np


def repeat_to_length(frames: np.ndarray, min_frames: int) -> np.ndarray:
    """Tile the sequence along time until it has at least ``min_frames`` rows (whole repetitions)."""
    n = frames.shape[0]
    if n == 0:
        raise ValueError("empty frame sequence")
    reps = max(1, -(-min_frames // n))  # ceil
    return np.concatenate([frames] * reps, axis=0) if reps > 1 else frames


def chunk_bounds(n: int, T: int) -> list[tuple[int, int]]:
    """Split ``n`` rows into ``T`` contiguous chunks of equal size (sizes differ by at most one row).

    Chunk k covers rows ``[floor(k n / T), floor((k+1) n / T))``; with n divisible by T all are equal.
    """
    return [((k * n) // T, ((k + 1) * n) // T) for k in range(T)]


def chunk_statistics(frames: np.ndarray, T: int, min_frames: int = 250) -> np.ndarray:
    """(3D, T) float32 array of per-chunk min / max / variance of ``frames`` (N, D); see module doc."""
    x = np.asarray(frames, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"frames must be (N, D), got shape {x.shape}")
    if T < 1:
        raise ValueError("T must be >= 1")
    if x.shape[0] == 0:  # a clip without frames: no information, like a clip without a face
        return np.zeros((3 * x.shape[1], T), dtype=np.float32)
    x = repeat_to_length(x, max(int(min_frames), T))
    D = x.shape[1]
    out = np.zeros((3 * D, T), dtype=np.float64)
    for k, (a, b) in enumerate(chunk_bounds(x.shape[0], T)):
        c = x[a:b]
        valid = ~np.isnan(c)
        has = valid.any(axis=0)
        if not has.any():
            continue
        cs = c[:, has]
        with np.errstate(invalid="ignore"):
            out[:D][has, k] = np.nanmin(cs, axis=0)
            out[D:2 * D][has, k] = np.nanmax(cs, axis=0)
            out[2 * D:][has, k] = np.nanvar(cs, axis=0)
    return out.astype(np.float32)
