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
from engage.speakers.attribution import ATTRIBUTION_MODES
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
    """Per speaker name given by the transcript (``voice``): cues, cues attributed by the active-speaker
    decision, and the tile most of them went to with its share.

    Why: the ASD decision (``asd_speaker``) is independent of the names, so it checks them: when one
    name's cues go to one tile, the two agree (and the name is probably that tile's person); when they
    scatter, something is off.
    """
    cols = ["voice", "cues", "attributed", "top_person", "top_share"]
    if utt.empty or "voice" not in utt or utt["voice"].isna().all():
        return pd.DataFrame(columns=cols)
    rows = []
    for voice, g in utt[utt["voice"].notna()].groupby("voice", sort=True):
        att = g["asd_speaker"].dropna()
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


#: Cues listed in the report's name/ASD disagreement table (the count is always given).
MAX_DISAGREEMENTS_SHOWN = 50


def disagreement_table(utt: pd.DataFrame) -> pd.DataFrame:
    """Cues whose voice name names one tile and whose ASD decision names another, in time order."""
    cols = ["utterance", "start", "end", "voice", "name_speaker", "asd_speaker", "speaker"]
    if utt.empty or "name_speaker" not in utt:
        return pd.DataFrame(columns=cols)
    both = utt["name_speaker"].notna() & utt["asd_speaker"].notna()
    return utt.loc[both & (utt["name_speaker"] != utt["asd_speaker"]), cols].sort_values(["start", "utterance"])


def _voices_html(utt: pd.DataFrame) -> str:
    """What comes from names: attribution sources, the names-vs-ASD table and the cues where they disagree
    ("" when the transcript names nobody)."""
    voices = voice_table(utt)
    if voices.empty:
        return ""
    att = int(voices["attributed"].sum())
    agree = float((voices["top_share"].fillna(0) * voices["attributed"]).sum() / att) if att else float("nan")
    src = utt["speaker_source"].value_counts() if "speaker_source" in utt else pd.Series(dtype=int)
    by_name, by_asd = int(src.get("name", 0)), int(src.get("asd", 0))
    vrows = "".join(
        f"<tr><td>{html.escape(str(r.voice))}</td><td>{r.cues}</td><td>{r.attributed}</td>"
        f"<td>{html.escape(str(r.top_person or '–'))}</td><td>{'' if pd.isna(r.top_share) else f'{100 * r.top_share:.0f} %'}</td></tr>"
        for r in voices.itertuples(index=False))
    differ = disagreement_table(utt)
    drows = "".join(
        f"<tr><td>{r.utterance}</td><td>{r.start:.2f}–{r.end:.2f}</td><td>{html.escape(str(r.voice))}</td>"
        f"<td>{html.escape(str(r.name_speaker))}</td><td>{html.escape(str(r.asd_speaker))}</td>"
        f"<td>{html.escape(str(r.speaker or '–'))}</td></tr>"
        for r in differ.head(MAX_DISAGREEMENTS_SHOWN).itertuples(index=False))
    more = f" (the first {MAX_DISAGREEMENTS_SHOWN} shown)" if len(differ) > MAX_DISAGREEMENTS_SHOWN else ""
    differ_html = (f"""<p><b>{len(differ)} cue(s) where the name and the active-speaker decision name different
tiles</b>{more}: a wrong tile name, a shared microphone, or an ASD error.</p>
<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>cue</th><th>time (s)</th><th>name</th>
<th>tile by name</th><th>tile by ASD</th><th>speaker</th></tr>{drows}</table>""" if len(differ)
                   else "<p>No cue where the name and the active-speaker decision name different tiles.</p>")
    return f"""<h3>Transcript speaker names and active-speaker attribution</h3>
<p>Speakers by name (the cue's voice name equals one tile's display name in that span): {by_name} cues; by the
active-speaker decision: {by_asd} cues (setting <code>asd.attribution</code>: {'/'.join(ATTRIBUTION_MODES)}, docs/asd.md).
The active-speaker decision alone sent {100 * agree:.0f} % of its {att} attributed cues with a name to that name's most
frequent tile (100 % = every name maps to one tile).</p>
<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>name</th><th>cues</th>
<th>attributed by ASD</th><th>most frequent tile</th><th>share</th></tr>{vrows}</table>
{differ_html}"""


def input_warnings(media: Media, layout: Layout, cue_warnings: list[str] = ()) -> list[str]:
    """What ingest, layout and cues found wrong with the recording (decode errors, a low frame rate, tiles
    too small for the grid, cues after the end: media.json / layout.json / cues.parquet ``warnings``),
    each prefixed with its document."""
    return ([f"media.json: {w}" for w in media.warnings] + [f"layout.json: {w}" for w in layout.warnings]
            + [f"cues.parquet: {w}" for w in cue_warnings])


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
    cues_parquet: str,
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
    cue_warnings = [str(w) for w in read_meta(cues_parquet).get("warnings", [])]
    warnings = input_warnings(read_media(media_json, session=session), layout_doc, cue_warnings)
    layout = layout_doc.to_json()
    panels, what = _layout_panels(layout, video, session)
    figures.layout_figure(panels, f"{session}: layout ({what})", out_layout_png)

    asd = _read(ASD, asd_parquet, session, ["person", "time", "score", "speaking"])
    utt = _read(UTTERANCES, utterances_parquet, session, ["utterance", "start", "end", "voice", "speaker",
                                                          "speaker_source", "asd_speaker", "name_speaker"])
    figures.speaking_figure(asd, utt, asd_threshold, f"{session}: active speaker score per person", out_speaking_png)

    clips = _read(CLIPS, clips_parquet, session, ["clip_id", "person", "face_fraction"])
    cov = coverage_table(clips, _read(FACE, face_parquet, session, ["clip_id", "success"]),
                         _read(CLIP_SPEECH, clip_speech_parquet, session, ["person", "has_speech", "speech_seconds"]))
    figures.coverage_figure(cov, f"{session}: feature coverage per person", out_coverage_png)

    notices = _notices(feature_files)
    for n in notices:
        log.warning("session '%s': %s", session, n)
    write_text(out_summary_html, _summary_html(session, layout["spans"], clips, utt, cov, notices, warnings))
