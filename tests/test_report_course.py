"""The report's course view: per identity across two sessions (tables built through the contract)."""

from __future__ import annotations

import pandas as pd

from contract_fixtures import clip
from engage.contract import INTERACTION, PREDICTIONS
from engage.report.course import build_course_figure, build_course_report

ZERO = dict(words=0.0, turns=0, speech_seconds=0.0, replies_spoken=0, sentiment_speech=None, chat_messages=None,
            chat_words=None, chat_reactions=None, chat_messages_history=None, replies_chat=None, replies=0,
            sentiment_chat=None, sentiment_chat_history=None)


def _session(root, session, persons: dict[str, str], speech: dict[str, float], chat: dict[str, int] | None):
    """Two 10 s windows per person; speech seconds and chat messages of each person in the first window."""
    rows, preds = [], []
    for w in range(2):
        for k, (p, ident) in enumerate(sorted(persons.items())):
            c = clip(session, w, p, 10.0 * w, 10.0 * w + 10.0, identity=ident)
            row = {**ZERO, **c.window_keys()}
            if w == 0:
                row["speech_seconds"] = speech.get(p, 0.0)
            if chat is not None:
                row["chat_messages"] = chat.get(p, 0) if w == 0 else 0
            rows.append(row)
            preds.append(dict(clip_id=c.clip_id, person=p, identity=c.identity, start=c.start, end=c.end,
                              score=0.5 - 0.25 * k + 0.1 * w, level="EG", has_speech=False))
    d = root / session
    INTERACTION.write(d / "features" / "interaction.parquet", INTERACTION.from_rows(rows))
    PREDICTIONS.write(root / "predictions" / f"{session}.parquet", PREDICTIONS.from_rows(preds))
    return d / "features" / "interaction.parquet", root / "predictions" / f"{session}.parquet"


def test_course_view_follows_one_student_through_two_sessions(tmp_path):
    # Maria is p00 on Monday and p01 on Tuesday; Sam only on Monday; Tuesday's p00 has no name.
    i1, p1 = _session(tmp_path, "mon", {"p00": "maria lopez", "p01": "sam lee"}, {"p00": 4.0, "p01": 1.5}, {"p00": 2})
    i2, p2 = _session(tmp_path, "tue", {"p00": "tue/p00", "p01": "maria lopez"}, {"p01": 6.5}, None)
    out = tmp_path / "report"
    course = build_course_report(sessions=["mon", "tue"], interaction=[str(i1), str(i2)],
                                 predictions=[str(p1), str(p2)], out_csv=out / "course.csv",
                                 out_html=out / "course.html")
    table = pd.read_csv(out / "course.csv")
    assert table["identity"].tolist() == ["maria lopez", "sam lee", "tue/p00"]
    maria = table.iloc[0]
    assert maria["sessions"] == 2 and maria["session_list"] == "mon, tue" and maria["persons"] == "mon/p00, tue/p01"
    assert maria["clips"] == 4 and maria["speaking_s"] == 10.5 and maria["chat_messages"] == 2
    assert table.iloc[1]["sessions"] == 1 and table.iloc[1]["chat_messages"] == 0  # Monday had a chat
    assert pd.isna(table.iloc[2]["chat_messages"])  # Tuesday had none: unknown, not zero
    assert course["sessions"].tolist() == [2, 1, 1]
    page = (out / "course.html").read_text()
    assert "maria lopez" in page and "1 of them in more than one session" in page
    assert "mean engagement score" in page and "+0.43" in page  # Maria: mean of 0.55 (mon) and 0.3 (tue)

    build_course_figure(sessions=["mon", "tue"], predictions=[str(p1), str(p2)], out_png=out / "course.png")
    assert (out / "course.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_course_view_without_a_model_has_no_engagement_column(tmp_path):
    i1, _ = _session(tmp_path, "mon", {"p00": "mon/p00"}, {}, None)
    build_course_report(sessions=["mon"], interaction=[str(i1)], predictions=[], out_csv=tmp_path / "c.csv",
                        out_html=tmp_path / "c.html")
    assert "engagement" not in (tmp_path / "c.html").read_text()
    assert pd.read_csv(tmp_path / "c.csv")["identity"].tolist() == ["mon/p00"]
