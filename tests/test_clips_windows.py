"""Window cutting on hand-written cue lists: exact expected boundaries (seconds on the 25 fps grid)."""

from __future__ import annotations

import pytest

from engage.clips.windows import fixed_windows, greedy_cuts, session_windows

FPS = 25


def secs(windows):
    return [(a / FPS, b / FPS) for a, b in windows]


def cut(cues, duration, spans=None, **kw):
    spans = spans or [(0.0, duration)]
    bounds = [(round(a * FPS), round(b * FPS)) for a, b in spans]
    return secs(session_windows(cues, bounds, fps=FPS, **kw))


def test_no_transcript_fixed_windows_last_merged_when_short():
    assert cut([], 16.0) == [(0, 10), (10, 16)]
    assert cut([], 34.0) == [(0, 10), (10, 20), (20, 34)]  # 4 s remainder < min 5 -> merged
    assert cut([], 3.0) == [(0, 3)]


def test_short_utterances_are_merged_to_about_10s():
    # Pauses at 2.5-3, 5.5-6, 8.5-9, 11.5-12, ...: cut at pause middles (frame-floored).
    cues = [(0.5 + 3 * k, 2.5 + 3 * k + 0.5 * (k % 2)) for k in range(7)]  # 7 short cues up to 21 s
    # Cut at 9.0 (9 s is nearer 10 than 12.25), then 18.25; the 2.75 s rest joins the previous window.
    assert cut(cues, 21.0) == [(0, 9.0), (9.0, 21.0)]


def test_mixed_long_utterance_and_silent_stretches():
    cues = [(1, 4), (5, 8), (9, 12), (13, 30), (45, 47)]
    assert cut(cues, 60.0) == [
        (0, 8.48),  # 1-4 + 5-8, cut in the middle of the 8-9 pause
        (8.48, 21.48),  # 9-12 + first half of the 17 s utterance (split evenly: > max 15)
        (21.48, 30.0),  # second half, ends where the utterance ends
        (30.0, 40.0),  # 15 s silence: fixed 10 s windows
        (40.0, 47.0),  # ... its 5 s rest + the isolated 2 s utterance (too short alone)
        (47.0, 60.0),  # trailing 13 s silence (3 s rest merged)
    ]


def test_long_block_split_at_inner_cue_boundaries_before_evenly():
    # Overlapping/touching cues form one 24 s block (> max 15) with inner cue boundaries 9, 11, 16:
    # cut at 9 (tie 9 vs 11 -> the earlier), then 16 (7 s is nearer 10 than 15 s).
    cues = [(0, 11), (9, 16), (16, 24)]
    assert cut(cues, 24.0) == [(0, 9), (9, 16), (16, 24)]


def test_single_very_long_utterance_split_evenly():
    assert cut([(0, 35)], 35.0) == [(0, 8.76), (8.76, 17.52), (17.52, 26.24), (26.24, 35.0)]


def test_layout_change_always_cuts():
    cues = [(1, 4), (5, 9), (10, 13)]
    assert cut(cues, 20.0, spans=[(0, 6), (6, 20)]) == [(0, 6), (6, 20)]
    assert cut(cues, 20.0) == [(0, 9.48), (9.48, 20.0)]


def test_leading_silence_gets_its_own_windows_and_windows_tile_the_timeline():
    cues = [(12, 20), (21, 24)]
    w = cut(cues, 24.0)
    assert w == [(0, 12), (12, 24)]
    assert w[0][0] == 0 and all(a[1] == b[0] for a, b in zip(w, w[1:]))


def test_cues_outside_the_recording_are_clipped():
    assert cut([(-2, 3), (8, 99)], 12.0) == [(0, 12)]


@pytest.mark.parametrize("dur", [0.04, 7.0, 59.96, 601.2])
def test_windows_partition_any_duration(dur):
    cues = [(k * 3.7, k * 3.7 + 2.9) for k in range(int(dur // 3.7))]
    w = cut(cues, dur)
    assert w[0][0] == 0 and w[-1][1] == pytest.approx(dur)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(w, w[1:]))
    if dur > 20:
        assert all(b - a <= 15.0 + 1e-9 for a, b in w)


def test_helpers():
    assert fixed_windows(0, 0, 250, 125) == []
    # greedy_cuts alone does not merge the short tail (session_windows does).
    assert greedy_cuts(0, 500, [100, 240, 300, 480], 250, 125, 375) == [(0, 240), (240, 480), (480, 500)]
