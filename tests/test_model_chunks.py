"""chunk_statistics: the paper's repeat-to-250 / T chunks / min-max-variance summary, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from engage.model.chunks import chunk_bounds, chunk_statistics, repeat_to_length


def test_hand_checked_example_without_repetition():
    # 8 frames, 2 features, T=2, min_frames small: chunks are rows 0-3 and 4-7.
    x = np.array([[0, 10], [1, 10], [2, 10], [3, 10], [4, 0], [6, 0], [8, 0], [10, 0]], dtype=float)
    s = chunk_statistics(x, T=2, min_frames=8)
    assert s.shape == (6, 2) and s.dtype == np.float32
    np.testing.assert_allclose(s[0], [0, 4])        # min of feature 0 per chunk
    np.testing.assert_allclose(s[1], [10, 0])       # min of feature 1
    np.testing.assert_allclose(s[2], [3, 10])       # max of feature 0
    np.testing.assert_allclose(s[3], [10, 0])       # max of feature 1
    np.testing.assert_allclose(s[4], [1.25, 5.0])   # population variance of 0,1,2,3 and 4,6,8,10
    np.testing.assert_allclose(s[5], [0, 0])


def test_short_clip_is_repeated_to_250_frames():
    x = np.arange(100, dtype=float)[:, None]  # 100 frames -> 3 repetitions = 300 frames
    assert repeat_to_length(x, 250).shape == (300, 1)
    s = chunk_statistics(x, T=3)  # chunks are exactly the three repetitions
    np.testing.assert_allclose(s[:, 0], [0, 99, np.var(np.arange(100))], rtol=1e-6)
    np.testing.assert_allclose(s[:, 0], s[:, 2])
    # a 250-frame clip is not repeated
    assert repeat_to_length(np.zeros((250, 2)), 250).shape == (250, 2)


def test_unequal_division_and_bounds():
    assert chunk_bounds(10, 3) == [(0, 3), (3, 6), (6, 10)]
    x = np.arange(10, dtype=float)[:, None]
    s = chunk_statistics(x, T=3, min_frames=10)
    np.testing.assert_allclose(s[0], [0, 3, 6])
    np.testing.assert_allclose(s[1], [2, 5, 9])


def test_nan_frames_are_ignored_and_empty_chunks_are_zero():
    x = np.array([[1.0], [np.nan], [3.0], [np.nan], [np.nan], [np.nan]])
    s = chunk_statistics(x, T=2, min_frames=6)
    np.testing.assert_allclose(s[:, 0], [1, 3, 1])   # chunk 0: values 1, 3 (NaN skipped)
    np.testing.assert_allclose(s[:, 1], [0, 0, 0])   # chunk 1: no face at all
    assert not np.isnan(chunk_statistics(np.full((5, 3), np.nan), T=4)).any()


def test_bad_input_and_a_clip_without_frames():
    with pytest.raises(ValueError):
        chunk_statistics(np.zeros(5), T=2)
    with pytest.raises(ValueError):
        repeat_to_length(np.zeros((0, 2)), 250)
    empty = chunk_statistics(np.zeros((0, 2)), T=3)  # no frames: the "no information" statistics
    assert empty.shape == (6, 3) and not empty.any()
