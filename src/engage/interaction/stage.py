"""The interaction stage for one session: chat + turn-taking + sentiment per clip and person."""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from engage.contract import INTERACTION, Clip, Utterance, read_clips, read_layout, read_utterances
from engage.identity import read_participants
from engage.interaction.chat import ChatMessage, read_chat
from engage.interaction.features import FEATURE_COLUMNS, PersonChat, PersonSpeech, clip_rows, person_speech, rows_to_table
from engage.interaction.names import NameIndex, build_name_index
from engage.naming import normalize_name
from engage.interaction.sentiment import compound, model_info
from engage.interaction.summary import participation_rows, plot_participation, write_participation_csv
from engage.interaction.timeline import UNATTRIBUTED, Event, Turn, build_turns, count_words, mark_replies, sort_events

log = logging.getLogger(__name__)


@dataclass
class Chat:
    """The session's chat on the recording timeline: messages, their times and matched persons (None: unmatched)."""

    present: bool
    messages: list[ChatMessage] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    person: list[str | None] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def _read_chat(session: str, chat, index: NameIndex, clips: list[Clip], cues: list[Utterance], *,
               strict: bool, offset_s: float) -> Chat:
    """Parse chat.txt (if any), match its names to persons and shift it to the recording timeline."""
    if chat is None:
        return Chat(False, meta={"chat_file": False})
    chat_log = read_chat(chat, session=session, strict=strict)
    messages = chat_log.messages
    times = [m.clock_s + offset_s for m in messages]
    persons = [index.lookup(m.sender) for m in messages]
    end_of_recording = max([c.end for c in clips] + [c.end for c in cues] + [0.0])
    outside = sum(1 for t in times if t < 0 or t > end_of_recording)
    unmatched = Counter(m.sender for m, p in zip(messages, persons) if p is None)
    kinds = Counter(m.kind for m in messages)
    meta = dict(
        chat_file=True, chat_messages=kinds.get("message", 0), chat_reactions=kinds.get("reaction", 0),
        chat_reactions_removed=kinds.get("reaction_removed", 0),
        chat_private=sum(m.private for m in messages), chat_thread_replies=sum(m.thread_reply for m in messages),
        chat_matched=sum(p is not None for p in persons), chat_unmatched=sum(unmatched.values()),
        chat_unmatched_names=dict(sorted(unmatched.items())),
        chat_garbled_lines=len(chat_log.garbled), chat_garbled_line_numbers=[n for n, _ in chat_log.garbled[:50]],
        chat_outside_recording=outside,
    )
    log.info("session '%s': chat %s: %d entries (%s), %d matched to persons", session, chat, len(messages),
             dict(sorted(kinds.items())), meta["chat_matched"])
    if unmatched:
        log.warning("session '%s': %d chat entries from %d name(s) not matched to a person: %s "
                    "(add them to participants.csv as person,name)", session, sum(unmatched.values()),
                    len(unmatched), ", ".join(sorted(unmatched)))
    if outside:
        log.warning("session '%s': %d of %d chat entries lie outside the recording [0, %.1f] s: chat times are "
                    "read as seconds from the recording start; set interaction.chat_offset_s if the file "
                    "holds clock times", session, outside, len(messages), end_of_recording)
    return Chat(True, messages, times, persons, meta)


def _reply_flags(turns: list[Turn], chat: Chat, window_s: float, unattributed_is_other: bool
                 ) -> tuple[list[bool], list[bool]]:
    """(reply flag per turn, per chat entry) from one timeline of turns and chat messages."""
    events = [Event(t.start, t.end, t.speaker or UNATTRIBUTED, "turn", i) for i, t in enumerate(turns)]
    for i, (m, t, p) in enumerate(zip(chat.messages, chat.time, chat.person)):
        if m.kind == "message":
            events.append(Event(t, t, p or f"chat:{normalize_name(m.sender) or m.sender}", "chat", i))
    events = sort_events(events)
    turn_reply = [False] * len(turns)
    msg_reply = [False] * len(chat.messages)
    for ev, f in zip(events, mark_replies(events, window_s, unattributed_is_other)):
        (turn_reply if ev.kind == "turn" else msg_reply)[ev.ref] = f
    return turn_reply, msg_reply


def _chat_by_person(chat: Chat, msg_reply: list[bool]) -> dict[str, PersonChat]:
    out: dict[str, PersonChat] = {}
    m = chat.messages
    for person in sorted({p for p in chat.person if p}):
        own = [i for i, p in enumerate(chat.person) if p == person]
        msgs = [i for i in own if m[i].kind == "message"]
        out[person] = PersonChat(
            np.array([chat.time[i] for i in msgs], float),
            np.array([count_words(m[i].text) for i in msgs], float),
            np.array([np.nan if (s := compound(m[i].text)) is None else s for i in msgs], float),
            np.array([msg_reply[i] for i in msgs], bool),
            np.array([chat.time[i] for i in own if m[i].kind == "reaction"], float),
        )
    return out


def _participation(clips: list[Clip], names: list[tuple[str, str]], speech: dict[str, PersonSpeech],
                   turns: list[Turn], turn_reply: list[bool], chat: Chat, chat_by_person: dict[str, PersonChat],
                   msg_reply: list[bool]) -> list[dict]:
    """The per-person session summary rows (participation.csv)."""
    name_of: dict[str, str] = {}
    for person, name in names:
        name_of.setdefault(person, name)
    persons = sorted({c.person for c in clips} | set(speech) | set(chat_by_person))
    talk = {p: sum(e - s for s, e in speech[p].union) for p in speech}
    n_turns = Counter(t.speaker for t in turns if t.speaker)
    words = {p: float(speech[p].cue_words.sum()) for p in speech}
    replies = Counter(t.speaker for t, r in zip(turns, turn_reply) if r and t.speaker)
    chat_counts = unmatched_rows = None
    if chat.present:
        chat_counts = {p: int(c.time.size) for p, c in chat_by_person.items()}
        replies.update({p: int(c.reply.sum()) for p, c in chat_by_person.items()})
        unmatched_rows = {}
        for i, (m, p) in enumerate(zip(chat.messages, chat.person)):
            if p is None and m.kind == "message":
                n, r = unmatched_rows.get(m.sender, (0, 0))
                unmatched_rows[m.sender] = (n + 1, r + int(msg_reply[i]))
    return participation_rows(persons, name_of, talk, dict(n_turns), words, chat_counts, dict(replies), unmatched_rows)


def interaction_session(
    *,
    session: str,
    clips: str | os.PathLike,
    utterances: str | os.PathLike,
    layout: str | os.PathLike,
    out_features: str | os.PathLike,
    out_csv: str | os.PathLike,
    out_png: str | os.PathLike,
    chat: str | os.PathLike | None = None,
    participants: str | os.PathLike | None = None,
    chat_offset_s: float = 0.0,
    history_s: float = 300.0,
    reply_window_s: float = 10.0,
    strict_chat: bool = False,
    unattributed_is_other: bool = True,
) -> dict:
    """Write features/interaction.parquet, participation.csv and participation.png; return the metadata."""
    params = dict(chat_offset_s=chat_offset_s, history_s=history_s, reply_window_s=reply_window_s,
                  strict_chat=strict_chat, unattributed_is_other=unattributed_is_other)
    clip_list = read_clips(clips, session=session)
    cues = read_utterances(utterances, session=session)
    lay_rows = read_layout(layout, session=session).names()
    turns = build_turns(cues)
    log.info("session '%s': %d clips, %d cues (%d attributed), %d turns", session, len(clip_list), len(cues),
             sum(c.speaker is not None for c in cues), len(turns))

    part = read_participants(participants, session) if participants else []
    part_rows = [(r.person, r.name) for r in part if r.name]
    index = build_name_index(part_rows, lay_rows)
    strangers = sorted({r.person for r in part} - {c.person for c in clip_list})
    if strangers and clip_list:
        log.warning("session '%s': %s lists person id(s) without clips: %s", session, participants, ", ".join(strangers))
    chat_state = _read_chat(session, chat, index, clip_list, cues, strict=strict_chat, offset_s=chat_offset_s)
    chat_state.meta.update(names_from_participants=len(part_rows), names_from_layout=len(lay_rows),
                           names_ambiguous=sorted(index.ambiguous))

    turn_reply, msg_reply = _reply_flags(turns, chat_state, reply_window_s, unattributed_is_other)
    speech = person_speech(cues, turns, turn_reply, count_words, compound)
    chat_by_person = _chat_by_person(chat_state, msg_reply)
    rows = clip_rows(clip_list, speech, chat_by_person, history_s=history_s, has_chat=chat_state.present)
    meta = {**params, **model_info(), **chat_state.meta, "feature_columns": FEATURE_COLUMNS,
            "n_clips": len(rows), "n_turns": len(turns), "n_cues": len(cues),
            "n_cues_attributed": sum(c.speaker is not None for c in cues)}
    INTERACTION.write(out_features, rows_to_table(rows), meta=meta)

    summary = _participation(clip_list, part_rows + lay_rows, speech, turns, turn_reply, chat_state, chat_by_person,
                             msg_reply)
    write_participation_csv(out_csv, summary)
    plot_participation(out_png, summary, session)
    log.info("session '%s': wrote %d interaction rows and a participation summary of %d rows", session, len(rows),
             len(summary))
    return meta
