"""The interaction stage for one session: chat + turn-taking + sentiment per clip and person."""

from __future__ import annotations

import json
import logging
import math
import os
from collections import Counter
from pathlib import Path

import numpy as np

from engage.errors import SessionError
from engage.io.parquet import read_required
from engage.interaction.chat import ChatMessage, read_chat
from engage.interaction.features import FEATURE_COLUMNS, PersonChat, clip_rows, person_speech, rows_to_table
from engage.interaction.names import build_name_index, layout_names, normalize_name, read_participants
from engage.interaction.sentiment import compound, model_info
from engage.interaction.summary import participation_rows, plot_participation, write_participation_csv
from engage.interaction.timeline import UNATTRIBUTED, Cue, Event, build_turns, count_words, mark_replies, sort_events
from engage.io.parquet import write_table

log = logging.getLogger(__name__)

CLIP_COLUMNS = ("clip_id", "session", "person", "window", "start", "end")
UTTERANCE_COLUMNS = ("utterance", "start", "end", "text", "speaker")


def _read_parquet(path, columns, session) -> list[dict]:
    return read_required(path, columns, session=session, what=Path(path).name).to_pylist()


def _read_layout(path, session) -> dict:
    try:
        layout = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SessionError(session, path, f"cannot read layout JSON ({err})") from None
    if not isinstance(layout, dict) or not isinstance(layout.get("spans", []), list):
        raise SessionError(session, path, "layout JSON must be an object with a 'spans' list")
    return layout


def _cues(rows: list[dict], session, path) -> list[Cue]:
    cues = []
    for r in rows:
        start, end = r["start"], r["end"]
        if start is None or end is None or not (math.isfinite(start) and math.isfinite(end)):
            raise SessionError(session, path, f"utterance {r['utterance']} has no valid start/end")
        speaker = r["speaker"] if r["speaker"] not in (None, "") else None
        cues.append(Cue(int(r["utterance"]), float(start), float(end), r["text"] or "", speaker))
    return cues


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
    clip_list = _read_parquet(clips, CLIP_COLUMNS, session)
    cues = _cues(_read_parquet(utterances, UTTERANCE_COLUMNS, session), session, utterances)
    lay = _read_layout(layout, session)
    turns = build_turns(cues)
    log.info("session '%s': %d clips, %d cues (%d attributed), %d turns", session, len(clip_list), len(cues),
             sum(c.speaker is not None for c in cues), len(turns))

    # Chat: parse, match names, shift to the recording timeline.
    has_chat = chat is not None
    messages: list[ChatMessage] = []
    msg_time: list[float] = []
    msg_person: list[str | None] = []
    chat_meta: dict = {"chat_file": bool(has_chat)}
    part_rows = read_participants(participants, session) if participants else []
    lay_rows = layout_names(lay)
    index = build_name_index(part_rows, lay_rows)
    strangers = sorted({p for p, _ in part_rows} - {str(c["person"]) for c in clip_list})
    if strangers and clip_list:
        log.warning("session '%s': %s lists person id(s) without clips: %s", session, participants, ", ".join(strangers))
    if has_chat:
        chat_log = read_chat(chat, session=session, strict=strict_chat)
        messages = chat_log.messages
        msg_time = [m.clock_s + chat_offset_s for m in messages]
        msg_person = [index.lookup(m.sender) for m in messages]
        end_of_recording = max([float(c["end"]) for c in clip_list] + [c.end for c in cues] + [0.0])
        outside = sum(1 for t in msg_time if t < 0 or t > end_of_recording)
        unmatched = Counter(m.sender for m, p in zip(messages, msg_person) if p is None)
        kinds = Counter(m.kind for m in messages)
        chat_meta.update(
            chat_messages=kinds.get("message", 0), chat_reactions=kinds.get("reaction", 0),
            chat_reactions_removed=kinds.get("reaction_removed", 0),
            chat_private=sum(m.private for m in messages), chat_thread_replies=sum(m.thread_reply for m in messages),
            chat_matched=sum(p is not None for p in msg_person), chat_unmatched=sum(unmatched.values()),
            chat_unmatched_names=dict(sorted(unmatched.items())),
            chat_garbled_lines=len(chat_log.garbled), chat_garbled_line_numbers=[n for n, _ in chat_log.garbled[:50]],
            chat_outside_recording=outside,
        )
        log.info("session '%s': chat %s: %d entries (%s), %d matched to persons", session, chat, len(messages),
                 dict(sorted(kinds.items())), chat_meta["chat_matched"])
        if unmatched:
            log.warning("session '%s': %d chat entries from %d name(s) not matched to a person: %s "
                        "(add them to participants.csv as person,name)", session, sum(unmatched.values()),
                        len(unmatched), ", ".join(sorted(unmatched)))
        if outside:
            log.warning("session '%s': %d of %d chat entries lie outside the recording [0, %.1f] s: chat times are "
                        "read as seconds from the recording start; set interaction.chat_offset_s if the file "
                        "holds clock times", session, outside, len(messages), end_of_recording)
    chat_meta.update(names_from_participants=len(part_rows), names_from_layout=len(lay_rows),
                     names_ambiguous=sorted(index.ambiguous))

    # One timeline of turns and chat messages -> reply flags.
    events = [Event(t.start, t.end, t.speaker or UNATTRIBUTED, "turn", i) for i, t in enumerate(turns)]
    for i, (m, t, p) in enumerate(zip(messages, msg_time, msg_person)):
        if m.kind == "message":
            events.append(Event(t, t, p or f"chat:{normalize_name(m.sender) or m.sender}", "chat", i))
    events = sort_events(events)
    flags = mark_replies(events, reply_window_s, unattributed_is_other)
    turn_reply = [False] * len(turns)
    msg_reply = [False] * len(messages)
    for ev, f in zip(events, flags):
        (turn_reply if ev.kind == "turn" else msg_reply)[ev.ref] = f

    speech = person_speech(cues, turns, turn_reply, count_words, compound)
    chat_by_person: dict[str, PersonChat] = {}
    for person in sorted({p for p in msg_person if p}):
        own = [i for i, p in enumerate(msg_person) if p == person]
        msgs = [i for i in own if messages[i].kind == "message"]
        chat_by_person[person] = PersonChat(
            np.array([msg_time[i] for i in msgs], float),
            np.array([count_words(messages[i].text) for i in msgs], float),
            np.array([np.nan if (s := compound(messages[i].text)) is None else s for i in msgs], float),
            np.array([msg_reply[i] for i in msgs], bool),
            np.array([msg_time[i] for i in own if messages[i].kind == "reaction"], float),
        )
    rows = clip_rows(clip_list, speech, chat_by_person, history_s=history_s, has_chat=has_chat)
    meta = {**params, **model_info(), **chat_meta, "feature_columns": FEATURE_COLUMNS,
            "n_clips": len(rows), "n_turns": len(turns), "n_cues": len(cues),
            "n_cues_attributed": sum(c.speaker is not None for c in cues)}
    write_table(out_features, rows_to_table(rows), stage="interaction", meta=meta, sort_by=["clip_id"])

    # Session summary.
    names: dict[str, str] = {}
    for person, name in part_rows + lay_rows:
        names.setdefault(person, name)
    persons = sorted({str(c["person"]) for c in clip_list} | set(speech) | set(chat_by_person))
    talk = {p: sum(e - s for s, e in speech[p].union) for p in speech}
    n_turns = Counter(t.speaker for t in turns if t.speaker)
    words = {p: float(speech[p].cue_words.sum()) for p in speech}
    replies = Counter(t.speaker for t, r in zip(turns, turn_reply) if r and t.speaker)
    chat_counts = None
    unmatched_rows = None
    if has_chat:
        chat_counts = {p: int(c.time.size) for p, c in chat_by_person.items()}
        replies.update({p: int(c.reply.sum()) for p, c in chat_by_person.items()})
        unmatched_rows = {}
        for i, (m, p) in enumerate(zip(messages, msg_person)):
            if p is None and m.kind == "message":
                n, r = unmatched_rows.get(m.sender, (0, 0))
                unmatched_rows[m.sender] = (n + 1, r + int(msg_reply[i]))
    summary = participation_rows(persons, names, talk, dict(n_turns), words, chat_counts, dict(replies), unmatched_rows)
    write_participation_csv(out_csv, summary)
    plot_participation(out_png, summary, session)
    log.info("session '%s': wrote %d interaction rows and a participation summary of %d rows", session, len(rows),
             len(summary))
    return meta
