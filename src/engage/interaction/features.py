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
from engage.intervals import merge_intervals

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


def _mean_or_none(values: np.ndarray) -> float | None:
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else None


def _union_overlap(union: list[tuple[float, float]], a: float, b: float) -> float:
    return float(sum(max(0.0, min(e, b) - max(s, a)) for s, e in union if s < b and e > a))


def speech_features(sp: PersonSpeech | None, a: float, b: float) -> dict:
    if sp is None or (sp.cue_start.size == 0 and sp.turn_start.size == 0):
        return dict(words=0.0, turns=0, speech_seconds=0.0, replies_spoken=0, sentiment_speech=None)
    overlap = np.clip(np.minimum(sp.cue_end, b) - np.maximum(sp.cue_start, a), 0.0, None)
    dur = sp.cue_end - sp.cue_start
    inside = (sp.cue_start < b) & (sp.cue_end > a)
    point = (dur <= 0) & (sp.cue_start >= a) & (sp.cue_start < b)  # zero-length cue: all or nothing
    frac = np.where(dur > 0, overlap / np.where(dur > 0, dur, 1.0), point.astype(float))
    in_turn = (sp.turn_start >= a) & (sp.turn_start < b)
    return dict(
        words=float(np.round((sp.cue_words * frac).sum(), 6)),
        turns=int(in_turn.sum()),
        speech_seconds=round(_union_overlap(sp.union, a, b), 6),
        replies_spoken=int((in_turn & sp.turn_reply).sum()),
        sentiment_speech=_mean_or_none(sp.cue_sentiment[inside | point]),
    )


def chat_features(ch: PersonChat | None, a: float, b: float, history_s: float, has_chat: bool) -> dict:
    if not has_chat:
        return dict(chat_messages=None, chat_words=None, chat_reactions=None, chat_messages_history=None,
                    replies_chat=None, sentiment_chat=None, sentiment_chat_history=None)
    if ch is None:
        return dict(chat_messages=0, chat_words=0, chat_reactions=0, chat_messages_history=0, replies_chat=0,
                    sentiment_chat=None, sentiment_chat_history=None)
    win = (ch.time >= a) & (ch.time < b)
    hist = (ch.time >= b - history_s) & (ch.time < b)
    return dict(
        chat_messages=int(win.sum()),
        chat_words=int(ch.words[win].sum()),
        chat_reactions=int(((ch.reaction_time >= a) & (ch.reaction_time < b)).sum()),
        chat_messages_history=int(hist.sum()),
        replies_chat=int((win & ch.reply).sum()),
        sentiment_chat=_mean_or_none(ch.sentiment[win]),
        sentiment_chat_history=_mean_or_none(ch.sentiment[hist]),
    )


def clip_rows(clips, speech: dict[str, PersonSpeech], chat: dict[str, PersonChat], *, history_s: float,
              has_chat: bool) -> list[dict]:
    """One feature row per clip (``clips``: :class:`engage.contract.Clip` rows)."""
    rows = []
    for c in clips:
        a, b, person = c.start, c.end, c.person
        row = dict(clip_id=c.clip_id, session=c.session, person=person, window=c.window, start=a, end=b)
        row.update(speech_features(speech.get(person), a, b))
        row.update(chat_features(chat.get(person), a, b, history_s, has_chat))
        row["replies"] = row["replies_spoken"] + (row["replies_chat"] or 0)
        rows.append(row)
    return rows


def rows_to_table(rows: list[dict]) -> pa.Table:
    return INTERACTION.from_rows(rows)
