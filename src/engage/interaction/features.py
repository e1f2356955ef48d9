"""Per clip and person interaction features (definitions in docs/features/interaction.md).

Clip window = [start, end). Speech counts use the person's attributed cues: seconds are the
overlap of the union of those cues with the window; words are counted *proportionally* (a cue's
words times the fraction of the cue inside the window), so a cue split across two clips is not
counted twice and per-clip words add up to the session total. Point events (turn starts, chat
messages, reactions) count when their time lies in the window; chat history uses
[end - history_s, end). Sentiment is the mean VADER compound over the texts (cues or messages)
that fall in the window; null when there is none. Chat columns are null when the session has no chat.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from engage.contract import INTERACTION
from engage.intervals import merge_intervals, window_pairs

#: Numeric feature columns (what the dataset stage may join as the "interaction" group).
FEATURE_COLUMNS = INTERACTION.names[6:]


@dataclass
class PersonSpeech:
    cue_start: np.ndarray
    cue_end: np.ndarray
    cue_words: np.ndarray
    cue_sentiment: np.ndarray  # NaN where the cue has no text
    union: list[tuple[float, float]]
    turn_start: np.ndarray
    turn_reply: np.ndarray  # bool


@dataclass
class PersonChat:
    time: np.ndarray
    words: np.ndarray
    sentiment: np.ndarray  # NaN where the message has no text
    reply: np.ndarray  # bool
    reaction_time: np.ndarray


def _arr(xs, dtype=float) -> np.ndarray:
    return np.asarray(list(xs), dtype=dtype)


def person_speech(cues, turns, turn_reply, words_of, sentiment_of) -> dict[str, PersonSpeech]:
    """Per speaker arrays from attributed cues and turns (``turn_reply`` aligned with ``turns``)."""
    by_cue = defaultdict(list)
    for c in cues:
        if c.speaker is not None:
            by_cue[c.speaker].append(c)
    by_turn = defaultdict(list)
    for t, r in zip(turns, turn_reply):
        if t.speaker is not None:
            by_turn[t.speaker].append((t.start, r))
    out = {}
    for person in sorted(set(by_cue) | set(by_turn)):
        cs = by_cue.get(person, [])
        ts = by_turn.get(person, [])
        out[person] = PersonSpeech(
            _arr(c.start for c in cs), _arr(c.end for c in cs), _arr(words_of(c.text) for c in cs),
            _arr(np.nan if (s := sentiment_of(c.text)) is None else s for c in cs),
            merge_intervals([(c.start, c.end) for c in cs]),
            _arr(t for t, _ in ts), _arr((r for _, r in ts), dtype=bool),
        )
    return out


def _means(total: np.ndarray, count: np.ndarray) -> list[float | None]:
    return [float(t / c) if c else None for t, c in zip(total, count)]


def _sorted_by(key: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(key, kind="stable")
    return [key[order], *(a[order] for a in arrays)]


def _prefix(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])


def speech_block(sp: PersonSpeech | None, a: np.ndarray, b: np.ndarray) -> dict[str, list]:
    """Speech columns of one person's clips (windows ``[a, b)``, disjoint), vectorised over clips and cues.

    Cues meet windows through :func:`engage.intervals.window_pairs` (zero-length cues as points), turn
    starts through sorted searches: linear in clips + cues.
    """
    n = a.size
    if sp is None or (sp.cue_start.size == 0 and sp.turn_start.size == 0):
        return dict(words=[0.0] * n, turns=[0] * n, speech_seconds=[0.0] * n, replies_spoken=[0] * n,
                    sentiment_speech=[None] * n)
    win, iv = window_pairs(a, b, sp.cue_start, sp.cue_end, points=True)
    cs, ce = sp.cue_start[iv], sp.cue_end[iv]
    dur = ce - cs
    part = np.clip(np.minimum(ce, b[win]) - np.maximum(cs, a[win]), 0.0, None)
    frac = np.where(dur > 0, part / np.where(dur > 0, dur, 1.0), 1.0)  # a zero-length cue: all or nothing
    words = np.bincount(win, weights=sp.cue_words[iv] * frac, minlength=n)
    senti = sp.cue_sentiment[iv]
    has = ~np.isnan(senti)
    s_total = np.bincount(win[has], weights=senti[has], minlength=n)
    s_count = np.bincount(win[has], minlength=n)
    us = np.asarray([u[0] for u in sp.union], np.float64)
    ue = np.asarray([u[1] for u in sp.union], np.float64)
    uw, ui = window_pairs(a, b, us, ue)
    seconds = np.bincount(uw, weights=np.minimum(ue[ui], b[uw]) - np.maximum(us[ui], a[uw]), minlength=n)
    ts, reply = _sorted_by(sp.turn_start, sp.turn_reply.astype(np.float64))
    lo, hi = np.searchsorted(ts, a, side="left"), np.searchsorted(ts, b, side="left")
    replies = _prefix(reply)
    return dict(
        words=[float(np.round(w, 6)) for w in words],
        turns=(hi - lo).astype(int).tolist(),
        speech_seconds=[round(float(x), 6) for x in seconds],
        replies_spoken=np.rint(replies[hi] - replies[lo]).astype(int).tolist(),
        sentiment_speech=_means(s_total, s_count),
    )


CHAT_COLUMNS = ("chat_messages", "chat_words", "chat_reactions", "chat_messages_history", "replies_chat",
                "sentiment_chat", "sentiment_chat_history")


def chat_block(ch: PersonChat | None, a: np.ndarray, b: np.ndarray, history_s: float, has_chat: bool
               ) -> dict[str, list]:
    """Chat columns of one person's clips: counts and means by sorted searches and prefix sums."""
    n = a.size
    if not has_chat:
        return {k: [None] * n for k in CHAT_COLUMNS}
    if ch is None:
        return dict(chat_messages=[0] * n, chat_words=[0] * n, chat_reactions=[0] * n, chat_messages_history=[0] * n,
                    replies_chat=[0] * n, sentiment_chat=[None] * n, sentiment_chat_history=[None] * n)
    t, words, senti, reply = _sorted_by(ch.time, ch.words.astype(np.float64), ch.sentiment, ch.reply.astype(np.float64))
    lo, hi = np.searchsorted(t, a, side="left"), np.searchsorted(t, b, side="left")
    lo_h = np.searchsorted(t, b - history_s, side="left")
    reactions = np.sort(ch.reaction_time)
    has = ~np.isnan(senti)
    w, r = _prefix(words), _prefix(reply)
    st, sc = _prefix(np.where(has, senti, 0.0)), _prefix(has.astype(np.float64))
    return dict(
        chat_messages=(hi - lo).astype(int).tolist(),
        chat_words=np.rint(w[hi] - w[lo]).astype(int).tolist(),
        chat_reactions=(np.searchsorted(reactions, b, side="left") - np.searchsorted(reactions, a, side="left"))
        .astype(int).tolist(),
        chat_messages_history=(hi - lo_h).astype(int).tolist(),
        replies_chat=np.rint(r[hi] - r[lo]).astype(int).tolist(),
        sentiment_chat=_means(st[hi] - st[lo], np.rint(sc[hi] - sc[lo])),
        sentiment_chat_history=_means(st[hi] - st[lo_h], np.rint(sc[hi] - sc[lo_h])),
    )


def clip_rows(clips, speech: dict[str, PersonSpeech], chat: dict[str, PersonChat], *, history_s: float,
              has_chat: bool) -> list[dict]:
    """One feature row per clip (``clips``: :class:`engage.contract.Clip` rows), in the given order.

    Computed per person for all of their clips at once (:func:`speech_block`, :func:`chat_block`).
    """
    by_person: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(clips):
        by_person[c.person].append(i)
    rows: list[dict] = [{} for _ in clips]
    for person, idx in by_person.items():
        a = np.array([clips[i].start for i in idx], np.float64)
        b = np.array([clips[i].end for i in idx], np.float64)
        cols = {**speech_block(speech.get(person), a, b), **chat_block(chat.get(person), a, b, history_s, has_chat)}
        for j, i in enumerate(idx):
            c = clips[i]
            row = c.window_keys()
            row.update({k: v[j] for k, v in cols.items()})
            row["replies"] = row["replies_spoken"] + (row["replies_chat"] or 0)
            rows[i] = row
    return rows


def rows_to_table(rows: list[dict]) -> pa.Table:
    return INTERACTION.from_rows(rows)
