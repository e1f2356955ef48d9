"""Build the per-session report pieces from the stage outputs (never recomputes features)."""

from __future__ import annotations

import html
import json
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from engage.contract import (ASD, CLIP_SPEECH, CLIPS, FACE, UTTERANCES, Layout, Media, TableSpec, read_layout,
                             read_media)
from engage.io.atomic import write_text
from engage.io.parquet import read_meta
from engage.media.decode import FrameReader
from engage.report import figures

log = logging.getLogger(__name__)


def _read(spec: TableSpec, path: str | os.PathLike | None, session: str, columns: list[str]) -> pd.DataFrame:
    """The ``columns`` the report draws (an empty frame when an optional input is not given)."""
    if not path:
        return pd.DataFrame()
    return spec.read(path, session=session, columns=columns).to_pandas()


def voice_table(utt: pd.DataFrame) -> pd.DataFrame:
    """Per speaker name given by the transcript (``voice``): cues, cues attributed by the video, and the
    tile most of them went to with its share.

    Why: the names are never used to attribute speech, but they are an independent check of it: when
    one name's cues go to one tile, the attribution is consistent (and the name is probably that
    tile's person: a participants.csv row); when they scatter, something is off.
    """
    cols = ["voice", "cues", "attributed", "top_person", "top_share"]
    if utt.empty or "voice" not in utt or utt["voice"].isna().all():
        return pd.DataFrame(columns=cols)
    rows = []
    for voice, g in utt[utt["voice"].notna()].groupby("voice", sort=True):
        att = g["speaker"].dropna()
        counts = att.value_counts(sort=False).sort_index()
        top = counts.idxmax() if len(counts) else None
        rows.append((voice, len(g), len(att), top, float(counts.max() / len(att)) if len(att) else float("nan")))
    return pd.DataFrame(rows, columns=cols)


#: Layout spans drawn in the report's layout figure (the longest ones, in time order).
MAX_LAYOUT_PANELS = 6


def layout_spans_shown(spans: list[dict], limit: int = MAX_LAYOUT_PANELS) -> list[int]:
    """Indices of the spans drawn: all when at most ``limit``, else the ``limit`` longest, in time order."""
    order = sorted(range(len(spans)), key=lambda k: (-(spans[k]["end"] - spans[k]["start"]), k))
    return sorted(order[:limit])


def _frame_at(video: str | os.PathLike, t: float, session: str) -> np.ndarray:
    for _, frame in FrameReader(video, start=max(0.0, t), duration=0.2, session=session):
        return frame[:, :, ::-1]  # BGR -> RGB
    raise RuntimeError(f"no frame at {t:.2f} s in {video}")


def coverage_table(clips: pd.DataFrame, face: pd.DataFrame, clip_speech: pd.DataFrame) -> pd.DataFrame:
    """Per person: clips, mean face_fraction, face success rate (face stage), share of clips with speech."""
    if clips.empty:
        return pd.DataFrame(columns=["person", "clips", "face_fraction", "face_success", "speech_share", "speech_seconds"])
    cov = clips.groupby("person").agg(clips=("clip_id", "count"), face_fraction=("face_fraction", "mean")).reset_index()
    if not face.empty and "success" in face:
        f = face.merge(clips[["clip_id", "person"]], on="clip_id")
        cov = cov.merge(f.groupby("person")["success"].mean().rename("face_success").reset_index(), on="person", how="left")
    if not clip_speech.empty:
        s = clip_speech.groupby("person").agg(speech_share=("has_speech", "mean"), speech_seconds=("speech_seconds", "sum"))
        cov = cov.merge(s.reset_index(), on="person", how="left")
    return cov.sort_values("person").reset_index(drop=True)


def _notices(feature_files: dict[str, str]) -> list[str]:
    """Loud warnings the reader must see: random-initialised weights, missing models."""
    out = []
    for name, path in sorted(feature_files.items()):
        if not path or not Path(path).exists():
            continue
        meta = read_meta(path)
        flat = json.dumps(meta)
        if "random-init" in flat:
            out.append(f"{name}: computed with RANDOM-INITIALISED weights (random-init). These are NOT pretrained "
                       "features; do not use them for research results. Set the real checkpoint in config.yaml.")
        if meta.get("model_missing"):
            out.append(f"{name}: model missing, embeddings are null ({meta.get('model', '')}).")
    return out


def _layout_panels(layout: dict, video, session: str) -> tuple[list, str]:
    """(one panel per span shown: frame at its middle, tiles, caption; the figure title's tail)."""
    spans = layout["spans"]
    shown = layout_spans_shown(spans)
    panels = []
    for k in shown:
        sp = spans[k]
        t_mid = (sp["start"] + sp["end"]) / 2
        panels.append((_frame_at(video, t_mid, session), sp["tiles"],
                       f"span {k}: {sp['start']:.1f}-{sp['end']:.1f} s, {len(sp['tiles'])} tiles (frame at {t_mid:.1f} s)"))
    if not panels:
        panels.append((_frame_at(video, 0.0, session), [], "no layout spans"))
    more = f"; the {len(shown)} longest shown" if len(shown) < len(spans) else ""
    return panels, f"{len(spans)} span(s), {layout.get('source', '?')}{more}"


def _voices_html(utt: pd.DataFrame) -> str:
    """The transcript-names-vs-attribution table of the summary ("" when the transcript names nobody)."""
    voices = voice_table(utt)
    if voices.empty:
        return ""
    att = int(voices["attributed"].sum())
    agree = float((voices["top_share"].fillna(0) * voices["attributed"]).sum() / att) if att else float("nan")
    vrows = "".join(
        f"<tr><td>{html.escape(str(r.voice))}</td><td>{r.cues}</td><td>{r.attributed}</td>"
        f"<td>{html.escape(str(r.top_person or '–'))}</td><td>{'' if pd.isna(r.top_share) else f'{100 * r.top_share:.0f} %'}</td></tr>"
        for r in voices.itertuples(index=False))
    return f"""<h3>Transcript speaker names vs. active-speaker attribution</h3>
<p>The names in the transcript are never used to attribute speech; they check it. {100 * agree:.0f} % of the
{att} attributed cues with a name went to their name's most frequent tile (100 % = every name maps to one
tile). A consistent name/tile pair is a candidate <code>participants.csv</code> row.</p>
<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>name</th><th>cues</th>
<th>attributed</th><th>most frequent tile</th><th>share</th></tr>{vrows}</table>"""


def input_warnings(media: Media, layout: Layout) -> list[str]:
    """What ingest and layout found wrong with the recording (decode errors, a low frame rate, tiles too
    small for the grid: media.json / layout.json ``warnings``), each prefixed with its document."""
    return [f"media.json: {w}" for w in media.warnings] + [f"layout.json: {w}" for w in layout.warnings]


def _warnings_html(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
    return (f'<div style="background:#fff3cd;border:1px solid #e0a800;padding:6px 10px"><b>Recording warnings</b> '
            f"(the session ran; check the features these affect):<ul>{items}</ul></div>")


def _summary_html(session: str, spans: list[dict], clips: pd.DataFrame, utt: pd.DataFrame, cov: pd.DataFrame,
                  notices: list[str], warnings: list[str] = ()) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(round(v, 3) if isinstance(v, float) else v))}</td>" for v in r) + "</tr>"
        for r in cov.itertuples(index=False)
    )
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cov.columns)
    banner = "".join(f'<p style="background:#b00020;color:white;padding:8px;font-weight:bold">WARNING: {html.escape(n)}</p>' for n in notices)
    spans_html = "".join(
        f"<li>{s['start']:.1f}–{s['end']:.1f} s: {len(s['tiles'])} tiles ({', '.join(t['id'] for t in s['tiles'])})</li>" for s in spans
    )
    n_spk = int(utt["speaker"].notna().sum()) if not utt.empty else 0
    return f"""<html><body style="font-family:sans-serif">
<h2>Session {html.escape(session)}</h2>
{banner}
{_warnings_html(list(warnings))}
<p>Clips: {len(clips)} · persons: {clips['person'].nunique() if not clips.empty else 0} ·
transcript cues: {len(utt)} ({n_spk} attributed to a speaker)</p>
<h3>Layout spans</h3><ul>{spans_html}</ul>
{_voices_html(utt)}
<h3>Feature coverage</h3>
<table border="1" cellpadding="4" style="border-collapse:collapse">{head and '<tr>' + head + '</tr>'}{rows}</table>
</body></html>
"""


def build_session_report(
    *,
    session: str,
    video: str,
    media_json: str,
    layout_json: str,
    asd_parquet: str,
    utterances_parquet: str,
    clips_parquet: str,
    face_parquet: str | None,
    clip_speech_parquet: str | None,
    feature_files: dict[str, str],
    asd_threshold: float,
    out_layout_png: str,
    out_speaking_png: str,
    out_coverage_png: str,
    out_summary_html: str,
) -> None:
    """Write the four report items of one session."""
    layout_doc = read_layout(layout_json, session=session)
    warnings = input_warnings(read_media(media_json, session=session), layout_doc)
    layout = layout_doc.to_json()
    panels, what = _layout_panels(layout, video, session)
    figures.layout_figure(panels, f"{session}: layout ({what})", out_layout_png)

    asd = _read(ASD, asd_parquet, session, ["person", "time", "score", "speaking"])
    utt = _read(UTTERANCES, utterances_parquet, session, ["start", "end", "voice", "speaker"])
    figures.speaking_figure(asd, utt, asd_threshold, f"{session}: active speaker score per person", out_speaking_png)

    clips = _read(CLIPS, clips_parquet, session, ["clip_id", "person", "face_fraction"])
    cov = coverage_table(clips, _read(FACE, face_parquet, session, ["clip_id", "success"]),
                         _read(CLIP_SPEECH, clip_speech_parquet, session, ["person", "has_speech", "speech_seconds"]))
    figures.coverage_figure(cov, f"{session}: feature coverage per person", out_coverage_png)

    notices = _notices(feature_files)
    for n in notices:
        log.warning("session '%s': %s", session, n)
    write_text(out_summary_html, _summary_html(session, layout["spans"], clips, utt, cov, notices, warnings))
