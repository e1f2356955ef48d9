"""The asd stage on the two fixture galleries, measured against their truth.json, plus the
degenerate cases (no audio, silence, no face, no transcript). The model runs once per gallery
(module-scoped fixture); tracks come from truth tile rectangles + MediaPipe (tests/asd_support.py)
so these tests do not depend on the tracks stage."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from asd_support import person_rects, truth_tracks, who_said_what
from conftest import DATA, REPO
from engage.asd import evaluate as ev
from engage.asd import run_asd_session
from engage.contract import TRACKS, read_media, write_media
from engage.errors import SessionError
from engage.ingest import ingest_session
from engage.io.parquet import read_meta

GALLERIES = {
    "demo": (REPO / "examples/sessions/demo/gallery.mp4", DATA / "demo_truth.json", REPO / "examples/sessions/demo/transcript.vtt"),
    "g3x3": (DATA / "gallery_3x3/gallery.mp4", DATA / "gallery_3x3/truth.json", DATA / "gallery_3x3/transcript.vtt"),
}
LIGHT = str(REPO / "models/light-asd/finetuning_TalkSet.model")


def _run(tmp, session, video, tracks, transcript, media=None, audio=None, **kw):
    """Rule asd, then the who-said-what chain (cues -> speakers -> utterances) on its scores."""
    media = media or tmp / "media.json"
    out = {"scores": tmp / f"{session}_asd.parquet"}
    run_asd_session(session=session, tracks=tracks, video=video, audio=audio or tmp / "audio.wav",
                    media_json=media, out_scores=out["scores"], weights=LIGHT, threads=2, **kw)
    chain = who_said_what(tmp, session, out["scores"], transcript, media)
    out["utterances"] = chain["utterances.parquet"]
    return {k: pq.read_table(v) for k, v in out.items()} | {"paths": out}


@pytest.fixture(scope="module", params=sorted(GALLERIES))
def gallery(request, tmp_path_factory):
    name = request.param
    video, truth_path, vtt = GALLERIES[name]
    tmp = tmp_path_factory.mktemp(f"asd_{name}")
    ingest_session(session=name, video=video, media_json=tmp / "media.json", audio_wav=tmp / "audio.wav")
    truth = json.loads(truth_path.read_text())
    tracks = truth_tracks(video, truth, name)
    TRACKS.write(tmp / "tracks.parquet", tracks)
    res = _run(tmp, name, video, tmp / "tracks.parquet", vtt)
    persons = ev.match_persons_to_tiles(person_rects(tracks), truth)
    return {"name": name, "tmp": tmp, "truth": truth, "tracks": tracks, "persons": persons, "video": video, "vtt": vtt, **res}


def test_frame_accuracy_and_average_precision(gallery):
    m = ev.frame_metrics(gallery["scores"], gallery["persons"], gallery["truth"])
    assert m["frames"] >= 1000
    assert m["accuracy"] >= 0.90, m
    assert m["average_precision"] >= 0.90, m


def test_every_cue_attributed_to_the_right_tile(gallery):
    a = ev.attribution_metrics(gallery["utterances"], gallery["persons"], gallery["truth"])
    assert a["cues"] == 4
    assert a["correct"] == a["cues"], a["detail"]


def test_hard_negatives_do_not_speak(gallery):
    """The silent actor (r0c1, mouth moving, hears the others) never speaks; tiles without a face
    never speak where the tracks have no face box. (MediaPipe finds weak "faces" in the animated
    no-face tiles now and then; rejecting those is the tracks stage's job.)"""
    t = gallery["scores"].to_pandas()
    tiles = {tile: p for p, tile in gallery["persons"].items()}
    silent = t[t.person == tiles["r0c1"]]
    assert not silent.speaking.any(), silent[silent.speaking].frame.tolist()
    for x in gallery["truth"]["tiles"]:
        if not x["has_face"]:
            rows = t[t.person == tiles[x["tile"]]]
            assert rows.score.isna().any() and not rows[rows.score.isna()].speaking.any()


def test_output_schema_rows_and_metadata(gallery):
    t = gallery["scores"]
    assert t.schema.names == ["session", "person", "frame", "time", "score", "speaking"]
    assert t.schema.field("score").type == pa.float32() and t.schema.field("frame").type == pa.int32()
    assert len(t) == len(gallery["tracks"])
    no_face = ~np.asarray(gallery["tracks"].sort_by([("person", "ascending"), ("frame", "ascending")]).column("has_face").to_pylist())
    assert pc.all(pc.is_null(pa.array(t.column("score").to_pylist())).filter(pa.array(no_face))).as_py() in (True, None)
    meta = read_meta(gallery["paths"]["scores"])
    assert meta["model"] == "light_asd" and meta["weights_sha256"].startswith("efc37583")
    assert meta["params"]["durations"] == [1, 2, 3, 4, 5, 6] and meta["stage"] == "asd"
    u = gallery["utterances"]
    assert u.schema.names == ["session", "utterance", "start", "end", "text", "voice", "speaker", "speaker_source",
                              "asd_speaker", "name_speaker", "evidence"]
    assert set(u.column("speaker_source").to_pylist()) <= {"asd", None}  # no tile names: ASD decides
    assert u.column("voice").to_pylist()[0].startswith("Speaker")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Two seconds of the demo gallery's tracks (cheap cases)."""
    video, truth_path, vtt = GALLERIES["demo"]
    tmp = tmp_path_factory.mktemp("asd_small")
    ingest_session(session="small", video=video, media_json=tmp / "media.json", audio_wav=tmp / "audio.wav")
    truth = json.loads(truth_path.read_text())
    truth["video"]["frames"] = 50
    tracks = truth_tracks(video, truth, "small")
    TRACKS.write(tmp / "tracks.parquet", tracks)
    media = read_media(tmp / "media.json", session="small")
    write_media(tmp / "media.json", replace(media, n_frames=50, duration=2.0))
    return {"tmp": tmp, "video": video, "vtt": vtt, "tracks": tracks}


def test_session_without_audio_gives_null_scores(small, tmp_path):
    media = read_media(small["tmp"] / "media.json", session="small")
    write_media(tmp_path / "media.json", replace(media, has_audio=False))
    shutil.copy(small["tmp"] / "audio.wav", tmp_path / "audio.wav")
    res = _run(tmp_path, "noaudio", small["video"], small["tmp"] / "tracks.parquet", small["vtt"])
    assert res["scores"].column("score").null_count == len(res["scores"])
    assert not any(res["scores"].column("speaking").to_pylist())
    assert res["utterances"].column("speaker").null_count == len(res["utterances"]) == 4


def test_silence_nobody_speaks_and_rerun_is_identical(small, tmp_path):
    import wave

    with wave.open(str(tmp_path / "audio.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(np.zeros(16000 * 2, np.int16).tobytes())
    shutil.copy(small["tmp"] / "media.json", tmp_path / "media.json")
    res = _run(tmp_path, "silence", small["video"], small["tmp"] / "tracks.parquet", small["vtt"])
    assert res["scores"].column("score").null_count < len(res["scores"])  # faces were scored
    assert not any(res["scores"].column("speaking").to_pylist())
    first = res["paths"]["scores"].read_bytes()
    again = _run(tmp_path, "silence", small["video"], small["tmp"] / "tracks.parquet", small["vtt"])
    assert again["paths"]["scores"].read_bytes() == first


def test_no_face_and_no_transcript(small, tmp_path):
    t = small["tracks"]
    nulls = pa.nulls(len(t), pa.float32())
    for c in ("face_x", "face_y", "face_w", "face_h"):
        t = t.set_column(t.schema.get_field_index(c), c, nulls)
    t = t.set_column(t.schema.get_field_index("has_face"), "has_face", pa.array([False] * len(t)))
    TRACKS.write(tmp_path / "tracks.parquet", t)
    res = _run(tmp_path, "noface", small["video"], tmp_path / "tracks.parquet", None,
               media=small["tmp"] / "media.json", audio=small["tmp"] / "audio.wav")
    assert res["scores"].column("score").null_count == len(res["scores"]) == len(t)
    assert len(res["utterances"]) == 0 and res["utterances"].schema.names[1] == "utterance"


def test_bad_tracks_file_is_one_line_error(small, tmp_path):
    (tmp_path / "tracks.parquet").write_text("not parquet")
    with pytest.raises(SessionError, match="session 'bad'.*cannot read tracks table"):
        _run(tmp_path, "bad", small["video"], tmp_path / "tracks.parquet", None,
             media=small["tmp"] / "media.json", audio=small["tmp"] / "audio.wav")


NAMES = ["Priya Raman", "Tom Becker", "Oluwaseun Adeyemi", "María José García", "Li Wei", "Hannah Schmidt",
         "Kenji Watanabe", "Fatima Zahra", "Noah Williams"]


def _named_transcript(path, cues, speaker_names):
    """The gallery's cues as a Zoom-style ``Name: text`` transcript, one given name per cue."""
    lines = ["WEBVTT", ""]
    for k, (c, name) in enumerate(zip(cues, speaker_names), 1):
        ts = lambda t: f"00:00:{t:06.3f}"  # noqa: E731
        lines += [str(k), f"{ts(c['start'])} --> {ts(c['end'])}", f"{name}: words of cue {k}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _names_and_truth_speakers(gallery):
    """person -> display name, and per cue the person truly speaking (from truth.json)."""
    names = {p: NAMES[i] for i, p in enumerate(sorted(gallery["persons"]))}
    tile_person = {tile: p for p, tile in gallery["persons"].items()}
    cues = gallery["utterances"].select(["start", "end"]).to_pylist()
    truth = [tile_person[ev.cue_truth_tile(gallery["truth"], c["start"], c["end"])] for c in cues]
    return names, cues, truth


def test_cue_names_matching_tile_names_attribute_every_cue(gallery, tmp_path):
    """Zoom's `Name: text` cues on a gallery whose tiles show those names: `auto` attributes every cue by
    name even where ASD cannot decide (an impossible margin), `asd` then attributes none, `name` the same
    as `auto`; and where ASD can decide, both agree on the real recording."""
    names, cues, truth = _names_and_truth_speakers(gallery)
    vtt = _named_transcript(tmp_path / "transcript.vtt", cues, [names[p] for p in truth])
    media, scores = gallery["tmp"] / "media.json", gallery["paths"]["scores"]
    runs = {mode: who_said_what(tmp_path, f"{gallery['name']}_{mode}", scores, vtt, media, names=names,
                                attribution=mode, attribution_margin=1000.0)["utterances"].to_pylist()
            for mode in ("auto", "asd", "name")}
    for mode in ("auto", "name"):
        assert [r["speaker"] for r in runs[mode]] == truth and {r["speaker_source"] for r in runs[mode]} == {"name"}
    assert [r["speaker"] for r in runs["asd"]] == [None] * len(truth)
    assert [r["name_speaker"] for r in runs["asd"]] == truth  # names still recorded as a cross-check
    normal = who_said_what(tmp_path, f"{gallery['name']}_normal", scores, vtt, media, names=names)["utterances"]
    rows = normal.to_pylist()
    assert [r["asd_speaker"] for r in rows] == truth == [r["name_speaker"] for r in rows]
    assert [r["text"] for r in rows] == [f"words of cue {k}" for k in range(1, len(rows) + 1)]  # prefix removed


def test_name_and_asd_disagreement_is_listed(gallery, tmp_path):
    from engage.report.session import disagreement_table
    from engage.speakers.attribution import disagreements

    names, cues, truth = _names_and_truth_speakers(gallery)
    other = next(p for p in sorted(names) if p != truth[0])
    said = [names[other]] + [names[p] for p in truth[1:]]  # cue 1 names the wrong tile
    vtt = _named_transcript(tmp_path / "transcript.vtt", cues, said)
    out = who_said_what(tmp_path, gallery["name"], gallery["paths"]["scores"], vtt, gallery["tmp"] / "media.json",
                        names=names)["utterances"]
    rows = out.to_pylist()
    assert rows[0]["speaker"] == other and rows[0]["speaker_source"] == "name" and rows[0]["asd_speaker"] == truth[0]
    table = disagreement_table(out.to_pandas())
    assert table["utterance"].tolist() == [1] and table["asd_speaker"].tolist() == [truth[0]]
    from engage.contract import read_utterances

    assert [u.utterance for u in disagreements(read_utterances(tmp_path / f"{gallery['name']}_utterances.parquet",
                                                               session=gallery["name"]))] == [1]


def test_without_tile_names_speakers_are_the_asd_decision(gallery):
    rows = gallery["utterances"].to_pylist()
    assert all(r["speaker"] == r["asd_speaker"] and r["name_speaker"] is None for r in rows)
    assert all(r["speaker_source"] == ("asd" if r["speaker"] else None) for r in rows)
