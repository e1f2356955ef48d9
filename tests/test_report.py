"""Report helpers on small hand-made tables: coverage per person and loud warnings."""

import pandas as pd

from engage.contract import FACE, I3D, TEXT
from engage.report.session import _notices, coverage_table


def test_coverage_table_joins_face_and_speech():
    clips = pd.DataFrame({"clip_id": ["a", "b", "c"], "person": ["p00", "p00", "p01"], "face_fraction": [1.0, 0.5, 0.0]})
    face = pd.DataFrame({"clip_id": ["a", "a", "b", "c"], "success": [True, False, True, False]})
    speech = pd.DataFrame({"clip_id": ["a", "b", "c"], "person": ["p00", "p00", "p01"], "has_speech": [True, False, False],
                           "speech_seconds": [3.0, 0.0, 0.0]})
    cov = coverage_table(clips, face, speech).set_index("person")
    assert cov.loc["p00", "clips"] == 2 and cov.loc["p00", "face_fraction"] == 0.75
    assert abs(cov.loc["p00", "face_success"] - 2 / 3) < 1e-9 and cov.loc["p01", "face_success"] == 0
    assert cov.loc["p00", "speech_share"] == 0.5 and cov.loc["p00", "speech_seconds"] == 3.0


def test_notices_flag_random_init_and_missing_models(tmp_path):
    I3D.write(tmp_path / "i3d.parquet", I3D.empty(dim=1024), meta={"weights": "random-init"}, dim=1024)
    TEXT.write(tmp_path / "text.parquet", TEXT.empty(), meta={"model_missing": True, "model": "bert-base-uncased"})
    FACE.write(tmp_path / "face.parquet", FACE.empty(), meta={"weights_sha256": "abc"})
    notes = _notices({k: str(tmp_path / f"{k}.parquet") for k in ("i3d", "text", "face")})
    assert len(notes) == 2
    assert notes[0].startswith("i3d: computed with RANDOM-INITIALISED") and "bert-base-uncased" in notes[1]


def test_speaking_figure_labels_unattributed_cues(tmp_path, monkeypatch):
    """A cue without a speaker (null in utterances.parquet) goes to the lane "?", not "nan"."""
    import numpy as np

    from engage.report import figures

    figs = []
    monkeypatch.setattr(figures, "_save", lambda fig, path: figs.append(fig))
    t = np.arange(0, 4, 0.04)
    asd = pd.DataFrame({"person": "p00", "time": t, "score": np.sin(t), "speaking": np.sin(t) > 0})
    utt = pd.DataFrame({"start": [0.5, 2.0, 1.0], "end": [1.5, 3.5, 2.5], "speaker": ["p00", np.nan, "p00"]})
    figures.speaking_figure(asd, utt, 0.0, "s", tmp_path / "x.png")
    cue_ax = figs[0].axes[-1]
    assert [t.get_text() for t in cue_ax.get_yticklabels()] == ["p00", "?"]
    bars = [c.get_paths() for c in cue_ax.collections]  # one collection per lane: p00's union, then "?"
    assert [len(p) for p in bars] == [1, 1]
    assert [(s.tolist(), e.tolist()) for _, s, e in figures.cue_lanes(utt)] == [([0.5], [2.5]), ([2.0], [3.5])]


def test_speaking_figure_aggregates_many_cues(tmp_path, monkeypatch):
    """100,000 cues: a few collections, not 200,000 artists (the report took 236 s and 2.4 GB)."""
    import numpy as np

    from engage.report import figures

    figs = []
    monkeypatch.setattr(figures, "_save", lambda fig, path: figs.append(fig))
    rng = np.random.default_rng(0)
    start = rng.uniform(0, 3600, 100_000)
    utt = pd.DataFrame({"start": start, "end": start + rng.uniform(0.3, 4, start.size),
                        "speaker": rng.choice(["p00", "p01", None], start.size)})
    asd = pd.DataFrame({"person": ["p00", "p01"], "time": [0.0, 0.0], "score": [0.0, 0.0], "speaking": [False, False]})
    figures.speaking_figure(asd, utt, 0.0, "s", tmp_path / "x.png")
    cue_ax = figs[0].axes[-1]
    assert len(cue_ax.collections) == 3 and len(cue_ax.texts) == 0 and len(cue_ax.patches) == 0


def test_layout_figure_one_panel_per_span_and_one_colour_per_person(tmp_path, monkeypatch):
    import numpy as np

    from engage.report import figures
    from engage.report.session import layout_spans_shown

    spans = [{"start": 0, "end": 5}, {"start": 5, "end": 6}, {"start": 6, "end": 20}]
    assert layout_spans_shown(spans, 2) == [0, 2]  # the longest, in time order
    assert layout_spans_shown(spans) == [0, 1, 2]
    figs = []
    monkeypatch.setattr(figures, "_save", lambda fig, path: figs.append(fig))
    frame = np.zeros((90, 160, 3), np.uint8)
    a = [{"id": "p00", "x": 0, "y": 0, "w": 80, "h": 45}, {"id": "p01", "x": 80, "y": 0, "w": 80, "h": 45}]
    b = [{"id": "p01", "x": 0, "y": 45, "w": 40, "h": 22, "camera_on": False}]
    figures.layout_figure([(frame, a, "span 0"), (frame, b, "span 1")], "t", tmp_path / "x.png")
    axes = [ax for ax in figs[0].axes if ax.images]
    assert [ax.get_title() for ax in axes] == ["span 0", "span 1"]
    first = {ax_t.get_text(): patch.get_edgecolor() for ax_t, patch in zip(axes[0].texts, axes[0].patches)}
    assert first["p00"] != first["p01"]
    assert tuple(axes[1].patches[0].get_edgecolor()) == tuple(first["p01"])  # p01 keeps its colour
    assert axes[1].texts[0].get_text() == "p01 (camera off)"


def test_voice_table_checks_attribution_against_transcript_names():
    from engage.report.session import voice_table

    utt = pd.DataFrame({
        "voice": ["Jane", "Jane", "Jane", "Bob", "Bob", None],
        "asd_speaker": ["p01", "p01", "p02", None, "p00", "p03"],
    })
    t = voice_table(utt).set_index("voice")
    assert t.loc["Jane", "cues"] == 3 and t.loc["Jane", "attributed"] == 3
    assert t.loc["Jane", "top_person"] == "p01" and abs(t.loc["Jane", "top_share"] - 2 / 3) < 1e-9
    assert t.loc["Bob", "attributed"] == 1 and t.loc["Bob", "top_share"] == 1.0
    assert voice_table(pd.DataFrame({"voice": [None], "asd_speaker": ["p00"]})).empty


def test_recording_warnings_reach_the_summary():
    """Decode errors, a low frame rate (media.json) and small tiles (layout.json) are shown in the report."""
    from engage.contract import Layout, Media
    from engage.report.session import _summary_html, input_warnings

    media = Media(3.0, 640, 480, 75, warnings=("122 decode errors in the video stream",))
    layout = Layout("detected", (640, 480), (), warnings=("4 of 4 camera-on tiles are smaller than 90 px",))
    warnings = input_warnings(media, layout, ["transcript.vtt: 3 cue(s) start after the end of the recording"])
    assert warnings == ["media.json: 122 decode errors in the video stream",
                        "layout.json: 4 of 4 camera-on tiles are smaller than 90 px",
                        "cues.parquet: transcript.vtt: 3 cue(s) start after the end of the recording"]
    cov = pd.DataFrame(columns=["person"])
    page = _summary_html("s1", [], pd.DataFrame(), pd.DataFrame(), cov, [], warnings)
    assert "Recording warnings" in page and "122 decode errors" in page and "smaller than 90 px" in page
    assert "start after the end of the recording" in page
    assert "Recording warnings" not in _summary_html("s1", [], pd.DataFrame(), pd.DataFrame(), cov, [], [])


def test_summary_lists_cues_where_name_and_asd_disagree():
    from engage.report.session import _voices_html

    utt = pd.DataFrame({
        "utterance": [1, 2, 3], "start": [0.0, 2.0, 4.0], "end": [1.0, 3.0, 5.0],
        "voice": ["Priya Raman", "Priya Raman", "Tom Becker"], "speaker": ["p00", "p00", "p01"],
        "speaker_source": ["name", "name", "asd"], "asd_speaker": ["p00", "p02", "p01"],
        "name_speaker": ["p00", "p00", None]})
    page = _voices_html(utt)
    assert "Speakers by name" in page and ": 2 cues" in page and "1 cue(s) where the name and the active-speaker" in page
    assert "<td>2</td><td>2.00–3.00</td><td>Priya Raman</td><td>p00</td><td>p02</td>" in page
    agree = _voices_html(utt.assign(asd_speaker=["p00", "p00", "p01"]))
    assert "No cue where the name and the active-speaker decision name different tiles" in agree
