"""The course view of the report: one student across sessions (rule course_report).

Why: a teacher follows students through a course, not tiles through one recording. Every per-clip
table carries the person's ``identity`` (engage.identity: a participants.csv key, a normalised name,
else ``<session>/<person>``), so the per-session interaction features and predictions add up per
identity: the sessions attended, the speaking time, the chat messages and, when a model was trained,
the engagement over the sessions. Sessions are shown in session-id order (the recordings carry no
date the pipeline trusts; name sessions so that they sort by date, e.g. ``2024-03-05_algebra``).
"""

from __future__ import annotations

import html
import logging
import os

import numpy as np
import pandas as pd

from engage.contract import INTERACTION, PREDICTIONS
from engage.io.atomic import write_text
from engage.report import figures

log = logging.getLogger(__name__)

COURSE_COLUMNS = ["identity", "sessions", "session_list", "persons", "clips", "speaking_s", "chat_messages"]


def read_tables(spec, paths: list[str], sessions: list[str], columns: list[str]) -> pd.DataFrame:
    """The ``columns`` of one per-session table for all sessions, with a ``session`` column."""
    frames = []
    for s, path in zip(sessions, paths):
        df = spec.read(path, session=s, columns=columns).to_pandas()
        df["session"] = s
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*columns, "session"])


def course_table(interaction: pd.DataFrame) -> pd.DataFrame:
    """Per identity: sessions attended (a clip there), ``session/person`` tiles, clips, seconds of
    attributed speech (interaction ``speech_seconds``) and chat messages (null when none of their
    sessions has a chat). Sorted by identity."""
    if interaction.empty:
        return pd.DataFrame(columns=COURSE_COLUMNS)
    rows = []
    for ident, g in interaction.groupby("identity", sort=True):
        sessions = sorted(g["session"].unique())
        chat = g["chat_messages"]
        rows.append((ident, len(sessions), ", ".join(sessions),
                     ", ".join(sorted({f"{s}/{p}" for s, p in zip(g["session"], g["person"])})), len(g),
                     float(g["speech_seconds"].fillna(0).sum()),
                     int(chat.sum()) if chat.notna().any() else pd.NA))
    out = pd.DataFrame(rows, columns=COURSE_COLUMNS)
    out["chat_messages"] = out["chat_messages"].astype("Int64")
    return out


def engagement_by_session(predictions: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max predicted score and clip count per identity and session."""
    if predictions.empty:
        return pd.DataFrame(columns=["identity", "session", "clips", "mean", "min", "max"])
    g = predictions.groupby(["identity", "session"], sort=True)["score"]
    out = g.agg(clips="count", mean="mean", min="min", max="max").reset_index()
    return out


def _table_html(course: pd.DataFrame, engagement: pd.DataFrame | None) -> str:
    mean = {} if engagement is None else engagement.groupby("identity")["mean"].mean().to_dict()
    head = ["identity", "sessions", "attended", "tiles", "clips", "speaking (s)", "chat messages"]
    if engagement is not None:
        head.append("mean engagement score")
    body = []
    for r in course.itertuples(index=False):
        cells = [r.identity, r.sessions, r.session_list, r.persons, r.clips, f"{r.speaking_s:.1f}",
                 "–" if pd.isna(r.chat_messages) else int(r.chat_messages)]
        if engagement is not None:
            cells.append(f"{mean[r.identity]:+.2f}" if r.identity in mean else "–")
        body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    shared = int((course["sessions"] > 1).sum()) if not course.empty else 0
    return f"""<html><body style="font-family:sans-serif">
<h2>Course view: one student across sessions</h2>
<p>{len(course)} identities, {shared} of them in more than one session. An identity is the participants.csv
<code>key</code>, else the normalised display name (participants.csv, or a confidently read tile name), else
<code>session/person</code> (a tile no other session can be linked to).</p>
<table border="1" cellpadding="4" style="border-collapse:collapse"><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>
{''.join(body)}</table>
</body></html>
"""


def build_course_report(
    *,
    sessions: list[str],
    interaction: list[str],
    predictions: list[str] | None = None,
    out_csv: str | os.PathLike,
    out_html: str | os.PathLike,
) -> pd.DataFrame:
    """Write the course table (csv, html; with predictions a mean engagement column); return the table."""
    inter = read_tables(INTERACTION, interaction, sessions,
                        ["identity", "person", "clip_id", "speech_seconds", "chat_messages"])
    course = course_table(inter)
    engagement = None
    if predictions:
        pred = read_tables(PREDICTIONS, predictions, sessions, ["identity", "clip_id", "start", "end", "score"])
        engagement = engagement_by_session(pred)
    with_chat = course["chat_messages"].astype("float64").fillna(-1).to_numpy() if not course.empty else np.zeros(0)
    log.info("course: %d sessions, %d identities (%d in several sessions, %d with chat)", len(sessions), len(course),
             int((course["sessions"] > 1).sum()) if not course.empty else 0, int((with_chat >= 0).sum()))
    write_text(out_csv, course.to_csv(index=False, float_format="%.3f"))
    write_text(out_html, _table_html(course, engagement))
    return course


def build_course_figure(*, sessions: list[str], predictions: list[str], out_png: str | os.PathLike) -> None:
    """The engagement of every identity through the sessions (figures.course_figure)."""
    pred = read_tables(PREDICTIONS, predictions, sessions, ["identity", "clip_id", "start", "end", "score"])
    figures.course_figure(pred, sessions, "Engagement per student across sessions", out_png)
    log.info("course figure: %d sessions, %d identities, %d clips", len(sessions), pred["identity"].nunique(), len(pred))
