"""Unit tests of the asd stage: model loading, inputs as the public demos, scoring, decisions, attribution."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow.parquet as pq
import pytest
import torch

from conftest import REPO
from contract_fixtures import clip, write_clips, write_utterances
from engage.asd.audio import session_mfcc
from engage.asd.clip_speech import clip_speech_session
from engage.asd.decision import decide_speaking
from engage.asd.evaluate import average_precision
from engage.asd.faces import FaceSegment, crop_face, face_segments
from engage.asd.models import available_models, create_model
from engage.asd.scoring import Piece, Scorer, smooth_scores, window_bounds
from engage.asd.stage import load_asd_model
from engage.contract import ASD, SPEAKERS, Utterance
from engage.errors import ConfigError
from engage.io.hashing import sha256_file
from engage.io.parquet import read_meta
from engage.speakers.attribution import asd_speakers, attribute_cue, cue_frames

LIGHT = REPO / "models" / "light-asd" / "finetuning_TalkSet.model"
LIGHT_SHA = "efc375833887eefa9d209dc92810e18519b04c3c73ea35a549f2a7f40b7d94d5"


@pytest.fixture(scope="module")
def light():
    model, digest = load_asd_model("light_asd", str(LIGHT), LIGHT_SHA)
    assert digest == LIGHT_SHA
    return model.eval()


# -- models and checkpoints ------------------------------------------------------------------------
def test_registry_lists_models_and_rejects_unknown():
    assert available_models() == ["light_asd", "talknet"]
    with pytest.raises(ConfigError, match="valid: light_asd, talknet"):
        create_model("talknet2")


def test_light_asd_checkpoint_uses_every_tensor(light):
    state = torch.load(LIGHT, map_location="cpu", weights_only=True)
    ours = light.public_state_dict()
    assert set(ours) == set(state) and len(state) == 192
    for k, v in state.items():
        assert torch.equal(ours[k].cpu(), v.cpu()), k


def test_fast_inference_path_keeps_the_numbers():
    """Folded BatchNorm + channels-last convolutions (prepare_for_inference) == the plain modules."""
    model, _ = load_asd_model("light_asd", str(LIGHT), LIGHT_SHA)
    model.eval()
    rng = np.random.default_rng(5)
    a = torch.from_numpy(rng.standard_normal((2, 120, 13)).astype(np.float32) * 10)
    v = torch.from_numpy(rng.integers(0, 255, (2, 30, 112, 112)).astype(np.float32))
    with torch.inference_mode():
        ref = model(a, v)
        fast = model.prepare_for_inference()(a, v)
    assert torch.allclose(ref, fast, atol=1e-4)


def test_light_asd_strict_load_rejects_missing_or_extra(tmp_path):
    state = torch.load(LIGHT, map_location="cpu", weights_only=True)
    bad = dict(state)
    bad.pop("lossV.FC.bias")
    with pytest.raises(ConfigError, match="does not match"):
        create_model("light_asd").load_public_state_dict(bad)
    extra = dict(state, **{"model.extra.weight": torch.zeros(1)})
    with pytest.raises(ConfigError, match="model.extra.weight"):
        create_model("light_asd").load_public_state_dict(extra)


def test_weights_sha_mismatch_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="sha256"):
        load_asd_model("light_asd", str(LIGHT), "0" * 64)
    with pytest.raises(ConfigError, match="put the file at"):
        load_asd_model("light_asd", str(tmp_path / "nope.model"), None)


def test_talknet_roundtrip_in_public_layout(tmp_path):
    """TalkNet weights are not available offline: save our random model in the public key layout
    (model.visualFrontend..., lossAV/lossA/lossV.FC) and load it strictly into a fresh model."""
    torch.manual_seed(0)
    src = create_model("talknet").eval()
    sd = src.public_state_dict()
    assert len(sd) == 487
    assert {k.split(".")[0] + "." + k.split(".")[1] for k in sd if k.startswith("model.")} == {
        "model.visualFrontend", "model.visualTCN", "model.visualConv1D", "model.audioEncoder",
        "model.crossA2V", "model.crossV2A", "model.selfAV"}
    assert {"lossAV.FC.weight", "lossA.FC.weight", "lossV.FC.weight"} <= set(sd)
    path = tmp_path / "pretrain_TalkSet.model"
    torch.save(sd, path)
    model, digest = load_asd_model("talknet", str(path), sha256_file(path))
    model.eval()
    a, v = torch.randn(1, 100, 13), torch.rand(1, 25, 112, 112) * 255
    with torch.inference_mode():
        assert torch.allclose(model(a, v), src(a, v), atol=1e-5)
        assert model(a, v).shape == (1, 25)


def test_random_weights_are_recorded(caplog):
    model, digest = load_asd_model("light_asd", "random", None)
    assert digest == "random-init"
    assert "RANDOM" in caplog.text


# -- inputs -----------------------------------------------------------------------------------------
def test_mfcc_is_100hz_and_matches_the_demo_cut():
    rng = np.random.default_rng(0)
    samples = (rng.standard_normal(16000 * 3) * 3000).astype(np.int16)
    whole = session_mfcc(samples, 75)
    assert whole.shape == (300, 13) and whole.dtype == np.float32
    import python_speech_features
    # the demo cuts the audio of a track starting at frame 25 (1 s) and runs MFCC on the cut
    cut = python_speech_features.mfcc(samples[16000:], 16000, numcep=13, winlen=0.025, winstep=0.010)
    np.testing.assert_allclose(whole[100 + 1 : 200], cut[1:100], rtol=1e-4, atol=1e-3)  # first frame: pre-emphasis edge


def test_crop_matches_the_demo_pad_and_resize():
    import cv2

    rng = np.random.default_rng(1)
    gray = rng.integers(0, 255, (240, 320), dtype=np.uint8)
    cx, cy, s, cs = 60.0, 40.0, 30.0, 0.4  # near the border: part of the crop is padding
    bsi = int(s * (1 + 2 * cs))
    padded = np.pad(gray, ((bsi, bsi), (bsi, bsi)), "constant", constant_values=(110, 110))
    my, mx = cy + bsi, cx + bsi
    face = padded[int(my - s) : int(my + s * (1 + 2 * cs)), int(mx - s * (1 + cs)) : int(mx + s * (1 + cs))]
    ref = cv2.resize(face, (224, 224))[56:168, 56:168]
    np.testing.assert_array_equal(crop_face(gray, cx, cy, s, cs), ref)


def test_face_segments_split_on_gaps_and_smooth():
    frames = np.array([0, 1, 2, 5, 6, 7, 8])
    boxes = np.tile([10.0, 10.0, 20.0, 30.0], (7, 1))
    segs = face_segments("p00", frames, boxes)
    assert [(s.start, s.stop) for s in segs] == [(0, 3), (5, 9)]
    geo = FaceSegment("p00", 0, np.tile([10.0, 10.0, 20.0, 30.0], (20, 1))).crop_geometry()
    np.testing.assert_allclose(geo[6], [20.0, 25.0, 15.0])


# -- scoring ----------------------------------------------------------------------------------------
def test_window_bounds_follow_the_demo():
    assert window_bounds(60, 1) == [(0, 25), (25, 50), (50, 60)]
    assert window_bounds(60, 6) == [(0, 60)]


def test_shared_encoders_equal_one_pass(light):
    """Chunked encoding with the declared context equals encoding the whole segment at once."""
    rng = np.random.default_rng(2)
    n = 90
    faces = rng.integers(0, 255, (n, 112, 112), dtype=np.uint8)
    mfcc = rng.standard_normal((4 * n, 13)).astype(np.float32) * 5
    scorer = Scorer(light, device=torch.device("cpu"), shared_encoders=True, encode_chunk=30)
    emb_a, emb_v = scorer._encode_shared([Piece("p", 0, faces)], mfcc)
    with torch.inference_mode():
        full_v = light.encode_visual(torch.from_numpy(faces).float()[None])[0]
        full_a = light.encode_audio(torch.from_numpy(mfcc)[None])[0]
    assert torch.allclose(emb_v[0], full_v, atol=1e-4)
    assert torch.allclose(emb_a[0], full_a, atol=1e-4)


def test_per_window_mode_reproduces_the_demo_loop(light):
    rng = np.random.default_rng(3)
    n = 60
    faces = rng.integers(0, 255, (n, 112, 112), dtype=np.uint8)
    mfcc = rng.standard_normal((4 * n, 13)).astype(np.float32) * 5
    durations = (1, 2)
    got = Scorer(light, device=torch.device("cpu"), durations=durations, shared_encoders=False).score([Piece("p", 0, faces)], mfcc)[0]
    all_scores = []
    with torch.inference_mode():
        for d in durations:  # the demo: one window at a time, batch size 1
            s = []
            for i in range(math.ceil(n / (25 * d))):
                a = torch.from_numpy(mfcc[i * d * 100 : (i + 1) * d * 100])[None]
                v = torch.from_numpy(faces[i * d * 25 : (i + 1) * d * 25]).float()[None]
                s.extend(light.speaking_logit(a, v)[0].tolist())
            all_scores.append(s)
    np.testing.assert_allclose(got, np.mean(all_scores, axis=0), atol=1e-4)


def test_smooth_scores_is_a_centred_mean():
    x = np.array([0, 0, 5, 0, 0, 0], np.float32)
    np.testing.assert_allclose(smooth_scores(x, 3), [0, 5 / 3, 5 / 3, 5 / 3, 0, 0], atol=1e-6)
    np.testing.assert_array_equal(smooth_scores(x, 1), x)


# -- decisions --------------------------------------------------------------------------------------
def test_decide_speaking_threshold_and_exclusive_margin():
    nan = np.nan
    scores = {"a": np.array([3.0, 0.5, -1, nan]), "b": np.array([1.5, 0.4, -2, 2.0])}
    plain = decide_speaking(scores, 0.0, None)
    assert plain["a"].tolist() == [True, True, False, False] and plain["b"].tolist() == [True, True, False, True]
    excl = decide_speaking(scores, 0.0, 1.0)
    assert excl["a"].tolist() == [True, True, False, False] and excl["b"].tolist() == [False, True, False, True]


def test_attribution_rule():
    n = 100
    scores = {"p00": np.full(n, 3.0), "p01": np.full(n, -2.0), "p02": np.full(n, np.nan)}
    who, ev = attribute_cue(0.0, 2.0, scores, threshold=0.0, margin=1.0, min_coverage=0.5)
    assert who == "p00" and set(ev) == {"p00", "p01"}
    scores["p01"][:] = 2.5  # two similar candidates: nobody clearly speaks
    assert attribute_cue(0.0, 2.0, scores, threshold=0.0, margin=1.0, min_coverage=0.5)[0] is None
    low = {"p00": np.full(n, -0.5)}
    assert attribute_cue(0.0, 2.0, low, threshold=0.0, margin=1.0, min_coverage=0.5)[0] is None
    assert cue_frames(0.0, 1.0) == (0, 25) and cue_frames(0.03, 0.05) == (1, 2)


def test_asd_speakers_all_cues_at_once_with_evidence():
    cues = [Utterance("s", 1, 0.0, 1.0, "", "Speaker B"), Utterance("s", 2, 1.0, 2.0, "", None)]
    scores = {"p00": np.r_[np.full(25, 4.0), np.full(25, -3.0)], "p01": np.r_[np.full(25, -3.0), np.full(25, 4.0)]}
    who, evidence = asd_speakers(cues, scores, threshold=0.0, margin=1.0, min_coverage=0.5)
    assert who == ["p00", "p01"]
    assert json.loads(evidence[0]) == {"p00": 4.0, "p01": -3.0}
    assert asd_speakers([], scores, threshold=0.0, margin=1.0, min_coverage=0.5) == ([], [])


def test_clip_speech_counts_frames_and_utterances(tmp_path):
    frames = range(100)
    scores = [dict(session="s", person=p, frame=f, time=f / 25, score=1.0, speaking=p == "p00" and f < 30)
              for p in ("p00", "p01") for f in frames]
    ASD.write(tmp_path / "asd.parquet", ASD.from_rows(scores), meta={"model": "light_asd"})
    write_utterances(tmp_path / "speakers.parquet", [(0.0, 1.2, "", "p00"), (2.0, 3.0, "", None)], "s", SPEAKERS)
    write_clips(tmp_path / "clips.parquet", [clip("s", 0, "p00", 0.0, 2.0), clip("s", 1, "p00", 2.0, 4.0),
                                             clip("s", 0, "p01", 0.0, 2.0)])
    clip_speech_session(session="s", clips=tmp_path / "clips.parquet", scores=tmp_path / "asd.parquet",
                        speakers=tmp_path / "speakers.parquet", output=tmp_path / "cs.parquet")
    rows = {r["clip_id"]: r for r in pq.read_table(tmp_path / "cs.parquet").to_pylist()}
    assert read_meta(tmp_path / "cs.parquet")["model"] == "light_asd"
    assert rows["s_0000_p00"]["speech_seconds"] == pytest.approx(1.2) and rows["s_0000_p00"]["has_speech"]
    assert rows["s_0000_p00"]["utterances"] == [1]
    assert rows["s_0001_p00"]["speech_seconds"] == 0 and not rows["s_0001_p00"]["has_speech"]
    assert rows["s_0000_p01"]["utterances"] == []


def test_average_precision():
    assert average_precision(np.array([3, 2, 1, 0]), np.array([1, 1, 0, 0])) == 1.0
    assert average_precision(np.array([0, 1]), np.array([1, 0])) == pytest.approx(0.5)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_batched_scores_match_cpu(light):
    rng = np.random.default_rng(4)
    pieces = [Piece(f"p{i}", 0, rng.integers(0, 255, (80, 112, 112), dtype=np.uint8)) for i in range(3)]
    mfcc = rng.standard_normal((320, 13)).astype(np.float32)
    cpu = Scorer(load_asd_model("light_asd", str(LIGHT), LIGHT_SHA)[0], device=torch.device("cpu")).score(pieces, mfcc)
    gpu = Scorer(load_asd_model("light_asd", str(LIGHT), LIGHT_SHA)[0], device=torch.device("cuda")).score(pieces, mfcc)
    for a, b in zip(cpu, gpu):
        np.testing.assert_allclose(a, b, atol=1e-2)
