"""Parse a saved Zoom meeting chat (``chat.txt``) into timed messages.

Zoom has written several text layouts over the years; all of them put a ``HH:MM:SS`` clock first.
The forms recognised (see docs/features/interaction.md for examples):

* one line per message, older desktop client: ``10:02:15 From Jane Doe to Everyone: hello`` or
  ``10:02:15\\t From  Jane Doe : hello`` (tab, doubled spaces, ``to Bob(Direct Message)`` /
  ``to Bob(Privately)`` recipients);
* header line + tab-indented body, newer desktop client ("new meeting chat experience"):
  ``10:02:15 From Jane Doe To Everyone:`` then ``\\thello``; bodies may be
  ``Reacted to "..." with 👍``, ``Removed a 👍 reaction from "..."`` or start with ``Replying to "..."``;
* cloud-recording chat files: ``00:58:04\\tJane Doe:\\thello``.

A line without a leading clock continues the previous message. A line that starts with a clock but
is not a header, or text before the first header, is *garbled*: it is skipped and reported with its
line number (or raises :class:`SessionError` when ``strict``).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from engage.errors import SessionError
from engage.io.textfile import read_text_input

log = logging.getLogger(__name__)

_CLOCK = r"(?P<clock>\d{1,3}:\d{2}:\d{2})"
# "From <who> : <msg>" / "From <who> to Everyone: <msg>" (who = text up to the first colon).
_FROM_LINE = re.compile(rf"^{_CLOCK}[ \t]+From[ \t]+(?P<who>[^:]*?)[ \t]*:(?:[ \t]*(?P<msg>.*))?$")
# Cloud-recording export: "00:58:04<TAB>Jane Doe:<TAB>message" (the message may be empty).
_CLOUD_LINE = re.compile(rf"^{_CLOCK}\t(?P<who>[^\t]+?):(?:\t(?P<msg>.*))?$")
# Anything that starts like a timestamp (used to flag garbled headers instead of gluing them on).
# (a full clock, or a broken clock followed by "From": "00:0x:10 From ...").
_CLOCKISH = re.compile(r"^\s*(?:\d{1,3}:\d{2}:\d{2}(?!\d)|\d{1,3}:\S*\s+From\s)")
_TO_EVERYONE = re.compile(r"^(?P<sender>.+?)[ \t]+to[ \t]+(?P<to>Everyone(?:[ \t]*\([^)]*\))?)$", re.I)
_TO_PRIVATE = re.compile(
    r"^(?P<sender>.+?)[ \t]+to[ \t]+(?P<to>.+?)[ \t]*\((?P<how>Direct Message|Privately|Private)\)$", re.I
)
_TO_WAITING = re.compile(r"^(?P<sender>.+?)[ \t]+to[ \t]+(?P<to>Waiting Room(?: Participants)?)$", re.I)
_REACTED = re.compile(r'^Reacted to ".*" with \S', re.S)
_REMOVED = re.compile(r'^Removed a .+ reaction from ".*"', re.S)
_REPLYING = re.compile(r'^Replying to ".*"\s*$')


@dataclass
class ChatMessage:
    """One chat entry. ``clock_s`` is the file's HH:MM:SS in seconds (before any offset)."""

    line: int  # 1-based line number of the header
    clock_s: float
    sender: str
    recipient: str | None  # "Everyone", a name, or None when the line does not say
    private: bool
    kind: str  # "message" | "reaction" | "reaction_removed"
    text: str
    thread_reply: bool = False  # Zoom's explicit "Replying to ..." thread reply
    lines: list[str] = field(default_factory=list, repr=False)


@dataclass
class ChatLog:
    messages: list[ChatMessage]
    garbled: list[tuple[int, str]]  # (line number, line text) of skipped lines
    n_lines: int


def _clock_seconds(clock: str) -> float | None:
    h, m, s = (int(x) for x in clock.split(":"))
    if m >= 60 or s >= 60:
        return None
    return float(h * 3600 + m * 60 + s)


def _split_who(who: str) -> tuple[str, str | None, bool]:
    """'Jane Doe  to  Everyone' -> ('Jane Doe', 'Everyone', False); no recipient -> (who, None, False)."""
    who = " ".join(who.split())
    for rx, private in ((_TO_EVERYONE, False), (_TO_PRIVATE, True), (_TO_WAITING, False)):
        m = rx.match(who)
        if m:
            return m.group("sender").strip(), m.group("to").strip(), private
    return who, None, False


def _header(line: str) -> tuple[str, str, str | None, bool, str] | None:
    """(clock, sender, recipient, private, first message text) for a header line, else None."""
    m = _FROM_LINE.match(line)
    if m is None:
        m = _CLOUD_LINE.match(line)
        if m is None:
            return None
        sender, to, private = " ".join(m.group("who").split()), None, False
    else:
        sender, to, private = _split_who(m.group("who"))
    if not sender:
        return None
    return m.group("clock"), sender, to, private, (m.group("msg") or "").strip()


def _finish(msg: ChatMessage) -> None:
    """Join body lines and classify reactions / thread replies (newer Zoom exports)."""
    body = [ln.strip() for ln in msg.lines]
    body = [ln for ln in body if ln]
    text = "\n".join(body)
    if _REACTED.match(text):
        msg.kind = "reaction"
    elif _REMOVED.match(text):
        msg.kind = "reaction_removed"
    elif body and _REPLYING.match(body[0]):
        msg.thread_reply = True
        text = "\n".join(body[1:])
    msg.text = text


def parse_chat_text(text: str, *, session: str | None = None, path: object = None, strict: bool = False) -> ChatLog:
    """Parse the text of a Zoom chat export (see module docstring for the accepted forms)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    messages: list[ChatMessage] = []
    garbled: list[tuple[int, str]] = []
    current: ChatMessage | None = None
    for no, line in enumerate(lines, 1):
        head = _header(line.strip("\ufeff").lstrip(" "))
        clock_s = _clock_seconds(head[0]) if head else None
        if head and clock_s is not None:
            _, sender, to, private, first = head
            current = ChatMessage(no, clock_s, sender, to, private, "message", "", lines=[first])
            messages.append(current)
            continue
        if not line.strip():
            continue
        if head or _CLOCKISH.match(line) or current is None:
            why = "text before the first message" if current is None and not _CLOCKISH.match(line) else "not a chat header"
            if strict:
                raise SessionError(session, path, f"garbled chat line {no} ({why}): {line.strip()[:80]!r}")
            garbled.append((no, line.strip()))
            continue
        current.lines.append(line[1:] if line.startswith("\t") else line)
    for m in messages:
        _finish(m)
    if garbled:
        log.warning("session '%s': %s: %d garbled chat line(s) skipped (lines %s)", session, path, len(garbled),
                    ", ".join(str(n) for n, _ in garbled[:20]) + (" ..." if len(garbled) > 20 else ""))
    return ChatLog(messages, garbled, len(lines))


def read_chat(path: str | os.PathLike, *, session: str | None = None, strict: bool = False) -> ChatLog:
    """Read ``chat.txt``. An empty file is a valid chat without messages.

    A non-empty file in which no line is a chat header is not a Zoom chat export: that raises
    :class:`SessionError` (skipping every line would silently drop the whole chat).
    """
    path = Path(path)
    text = read_text_input(path, session=session, what="chat file")
    log_ = parse_chat_text(text, session=session, path=path, strict=strict)
    if not log_.messages and log_.garbled:
        n, line = log_.garbled[0]
        raise SessionError(session, path, f"no Zoom chat message found (first unreadable line {n}: {line[:80]!r});"
                           " expected lines like 'HH:MM:SS From <name> to Everyone: <message>'")
    return log_
