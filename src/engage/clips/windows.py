"""Cut a session timeline into ~10 s windows aligned to utterance boundaries (pure functions).

All arithmetic is on integer timeline frames (25 fps) so boundaries are exact and every clip has a
whole number of frames. The algorithm, per layout span (a layout change always cuts):

1. Speech blocks = union of the cues (overlapping or touching cues merge). A block longer than
   ``max`` is split at cue boundaries inside it (greedy, nearest to ``target``), and pieces still
   longer than ``max`` are split evenly into ``ceil(len/target)`` parts.
2. A gap between blocks shorter than ``silence`` is a *pause*: a candidate cut at its middle.
   A gap of at least ``silence`` (and leading/trailing silence of at least ``silence``) is a
   *silent stretch*, covered by fixed ``target`` windows.
3. Each run of speech separated only by pauses is cut greedily: walking the candidate cuts, cut
   as soon as the window is at least ``min`` long and the next candidate would be farther from
   ``target`` (or would exceed ``max``).
4. Windows shorter than ``min`` are merged into the neighbour that gives the shorter result, if
   that stays within ``max``.

Without cues a span gets fixed ``target`` windows, the last one merged if shorter than ``min``.
"""

from __future__ import annotations

import math
from typing import Sequence

Window = tuple[int, int]  # [start frame, end frame)


def fixed_windows(a: int, b: int, target: int, min_len: int) -> list[Window]:
    """``target``-long windows from ``a``; a remainder shorter than ``min_len`` joins the last one."""
    if b <= a:
        return []
    n = (b - a) // target
    if n == 0:
        return [(a, b)]
    out = [(a + k * target, a + (k + 1) * target) for k in range(n)]
    rem = b - out[-1][1]
    if rem > 0:
        if rem < min_len:
            out[-1] = (out[-1][0], b)
        else:
            out.append((out[-1][1], b))
    return out


def greedy_cuts(a: int, b: int, candidates: Sequence[int], target: int, min_len: int, max_len: int) -> list[Window]:
    """Cut ``[a, b)`` at some of ``candidates`` (step 3 of the module doc)."""
    cands = sorted({c for c in candidates if a < c < b})
    out: list[Window] = []
    ws = a
    for i, c in enumerate(cands):
        length = c - ws
        nxt = cands[i + 1] if i + 1 < len(cands) else b
        next_len = nxt - ws
        if next_len > max_len or (length >= min_len and abs(length - target) <= abs(next_len - target)):
            out.append((ws, c))
            ws = c
    out.append((ws, b))
    return out


def _even_split(a: int, b: int, target: int) -> list[int]:
    n = max(1, math.ceil((b - a) / target))
    return [a + round(k * (b - a) / n) for k in range(1, n)]


def _blocks(cues: Sequence[Window]) -> list[tuple[int, int, list[int]]]:
    """Union of cues: (start, end, [cue boundaries inside])."""
    blocks: list[tuple[int, int, list[int]]] = []
    for s, e in sorted(cues):
        if blocks and s <= blocks[-1][1]:
            bs, be, inner = blocks[-1]
            inner.extend([s, min(e, be)])
            blocks[-1] = (bs, max(be, e), inner)
        else:
            blocks.append((s, e, []))
    return [(s, e, sorted({c for c in inner if s < c < e})) for s, e, inner in blocks]


def _merge_short(windows: list[Window], min_len: int, max_len: int) -> list[Window]:
    out = list(windows)
    changed = True
    while changed:
        changed = False
        for i, (s, e) in enumerate(out):
            if e - s >= min_len or len(out) == 1:
                continue
            options = []
            if i > 0 and e - out[i - 1][0] <= max_len:
                options.append((e - out[i - 1][0], i - 1))
            if i + 1 < len(out) and out[i + 1][1] - s <= max_len:
                options.append((out[i + 1][1] - s, i + 1))
            if not options:
                continue
            _, j = min(options)
            lo, hi = min(i, j), max(i, j)
            out[lo : hi + 1] = [(out[lo][0], out[hi][1])]
            changed = True
            break
    return out


def span_windows(
    cues: Sequence[Window], a: int, b: int, *, target: int, min_len: int, max_len: int, silence: int
) -> list[Window]:
    """Windows covering ``[a, b)`` (frames) for cues given as frame intervals."""
    clipped = [(max(a, s), min(b, e)) for s, e in cues if min(b, e) > max(a, s)]
    if not clipped:
        return fixed_windows(a, b, target, min_len)
    # 1. speech units: blocks, long ones split.
    units: list[Window] = []
    for s, e, inner in _blocks(clipped):
        if e - s <= max_len:
            units.append((s, e))
            continue
        for ps, pe in greedy_cuts(s, e, inner, target, min_len, max_len):
            cuts = _even_split(ps, pe, target) if pe - ps > max_len else []
            edges = [ps, *cuts, pe]
            units.extend(zip(edges[:-1], edges[1:]))
    # 2. pauses vs silent stretches; 3. greedy cuts per speech run.
    windows: list[Window] = []
    run_start = a if units[0][0] - a < silence else units[0][0]
    if run_start > a:
        windows += fixed_windows(a, run_start, target, min_len)
    cands: list[int] = []
    for (s0, e0), (s1, e1) in zip(units[:-1], units[1:]):
        gap = s1 - e0
        if gap < silence:
            cands.append(e0 + gap // 2)
        else:
            windows += greedy_cuts(run_start, e0, cands, target, min_len, max_len)
            windows += fixed_windows(e0, s1, target, min_len)
            run_start, cands = s1, []
    last_end = units[-1][1]
    run_end = b if b - last_end < silence else last_end
    windows += greedy_cuts(run_start, run_end, cands, target, min_len, max_len)
    if run_end < b:
        windows += fixed_windows(run_end, b, target, min_len)
    # 4. no window shorter than min_len where a neighbour can take it.
    return _merge_short([w for w in windows if w[1] > w[0]], min_len, max_len)


def session_windows(
    cues: Sequence[tuple[float, float]],
    span_bounds: Sequence[Window],
    *,
    fps: int = 25,
    target_s: float = 10.0,
    min_s: float = 5.0,
    max_s: float = 15.0,
    silence_s: float = 10.0,
) -> list[Window]:
    """All windows of a session: cues in seconds, spans as frame ranges (each span cut separately)."""
    f = lambda t: int(round(t * fps))  # noqa: E731
    frames = [(f(s), f(e)) for s, e in cues]
    kw = dict(target=f(target_s), min_len=f(min_s), max_len=f(max_s), silence=f(silence_s))
    out: list[Window] = []
    for a, b in span_bounds:
        out += span_windows(frames, a, b, **kw)
    return out
