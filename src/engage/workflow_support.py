"""Helpers the Snakefile uses at parse time (kept here so they are unit-tested)."""

from __future__ import annotations

import os
import re
from pathlib import Path

#: Allowed session folder names: no path separators, no leading dot (never escapes the results folder).
SESSION_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9._-]*"

VIDEO_NAMES = ("gallery.mp4", "gallery.mkv", "gallery.webm", "gallery.mov", "gallery.avi")


def session_video_path(sessions_dir: str | os.PathLike, session: str) -> str:
    """Path of the session's recording; the first existing ``gallery.<ext>`` (mp4 if none exists)."""
    d = Path(sessions_dir) / session
    for name in VIDEO_NAMES:
        if (d / name).exists():
            return str(d / name)
    return str(d / VIDEO_NAMES[0])


def discover_sessions(sessions_dir: str | os.PathLike, pattern: str = SESSION_PATTERN) -> tuple[list[str], list[tuple[str, str]]]:
    """Return (sorted valid session ids, [(rejected name, reason)]).

    A session is a sub-folder holding a ``gallery.<ext>`` recording. Folder names must match
    ``pattern`` so that paths built from them never leave the results folder; others are rejected
    with a reason (the caller prints it) and get no jobs, so the remaining sessions still run.
    """
    root = Path(sessions_dir)
    if not root.is_dir():
        return [], []
    ok, bad = [], []
    rx = re.compile(pattern)
    for d in sorted(root.iterdir()):
        if not d.is_dir() or d.name.startswith("."):
            continue
        if not any((d / n).exists() for n in VIDEO_NAMES):
            continue
        if rx.fullmatch(d.name):
            ok.append(d.name)
        else:
            bad.append((d.name, f"unsafe session folder name (allowed: {pattern})"))
    return ok, bad
