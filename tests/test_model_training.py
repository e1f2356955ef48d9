"""Tiny training runs: loss decreases, reruns are identical, every loss and the audio schedule run."""

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from engage.model.losses import LOSSES, rank_loss
from engage.model.metrics import summarize
from engage.model.mocorank import multi_margin_loss
from engage.model.training import predict, train_model


def arrays(n=160, seed=0, speech=False):
    rng = np.random.default_rng(seed)
    lab = rng.choice(4, n, p=[0.1, 0.2, 0.5, 0.2])
    z = (lab - 1.5) / 2 + rng.normal(0, 0.1, n)
    face = rng.normal(size=(n, 6, 5)).astype(np.float32)
    face[:, 0] += 2 * z[:, None]
    i3d = rng.normal(size=(n, 16)).astype(np.float32)
    i3d[:, 0] += 2 * z
    return {"face": face, "i3d": i3d, "aud": rng.normal(size=(n, 7)).astype(np.float32),
            "text": rng.normal(size=(n, 5)).astype(np.float32),
            "has_speech": (rng.random(n) < 0.5) if speech else np.zeros(n, bool),
            "labels": lab.astype(np.int64), "split": np.where(np.arange(n) < 120, "train", "val"),
            "clip_id": [str(i) for i in range(n)]}


SMALL = {"hidden": 8, "mlp_hidden": 16, "tcn_levels": 2, "text_proj_dim": 4}
FAST = {"epochs": 12, "batch_size": 32, "pool_size": 64, "lr": 3e-3, "seed": 1}


def reference_loss(model, a, idx):
    """MocoRank loss against a fixed, ideal pool (one entry per class at its level score)."""
    from engage.model.training import to_tensors

    model.eval()
    with torch.no_grad():
        b = to_tensors(a, idx, torch.device("cpu"))
        out, emb = model(b)
        pool_e = torch.zeros(4, emb.shape[1])
        return float(multi_margin_loss(out, b["labels"], emb, torch.tensor([-0.75, -0.25, 0.25, 0.75]),
                                       torch.arange(4), pool_e, flexible_margin=False))


def test_mse_training_decreases_loss():
    a = arrays()
    _, rows = train_model(a, {}, {"loss": "mse", **SMALL}, FAST)
    assert rows[-1]["loss"] < 0.5 * rows[0]["loss"]


def test_mocorank_training_decreases_loss_and_learns():
    # The running MocoRank loss is measured against a moving pool, so compare against a fixed pool instead.
    a = arrays()
    val = np.arange(120, 160)
    early, _ = train_model(a, {}, {"loss": "mocorank", **SMALL}, {**FAST, "epochs": 1, "lr": 1e-6})
    model, rows = train_model(a, {"face_columns": ["a", "b"]}, {"loss": "mocorank", **SMALL}, FAST)
    assert reference_loss(model, a, val) < 0.7 * reference_loss(early, a, val)
    scores, _ = predict(model, a, val)
    assert spearmanr(scores, a["labels"][val]).statistic > 0.6  # scores are ordered like the labels
    assert not np.isnan(rows[-1]["val_accuracy"])


def test_training_is_deterministic():
    a = arrays()
    m1, r1 = train_model(a, {}, {"loss": "mocorank_center", **SMALL}, {**FAST, "epochs": 2})
    m2, r2 = train_model(a, {}, {"loss": "mocorank_center", **SMALL}, {**FAST, "epochs": 2})
    assert [r["loss"] for r in r1] == [r["loss"] for r in r2]
    for (k, v), (_, w) in zip(m1.state_dict().items(), m2.state_dict().items()):
        assert torch.equal(v, w), k


@pytest.mark.parametrize("loss", [l for l in LOSSES if l not in ("mocorank",)])
def test_every_loss_runs(loss):
    a = arrays(n=80)
    model, rows = train_model(a, {}, {"loss": loss, **SMALL}, {**FAST, "epochs": 2})
    assert np.isfinite(rows[-1]["loss"]) and np.isfinite(rows[-1]["loss_extra"])
    scores, levels = predict(model, a)
    assert np.all(np.abs(scores) <= 1) and set(levels) <= {0, 1, 2, 3}


def test_async_audio_freezes_visual_extractor():
    a = arrays(speech=True)
    model, rows = train_model(a, {}, {"loss": "mocorank", "audio": True, **SMALL}, {**FAST, "epochs": 2, "audio_epochs": 2})
    assert [r["phase"] for r in rows] == ["visual", "visual", "audio", "audio"]
    assert not any(p.requires_grad for m in model.visual_modules() for p in m.parameters())
    assert all(p.requires_grad for m in model.audio_modules() for p in m.parameters())


def test_rank_loss_is_differentiable():
    emb = torch.randn(12, 4, requires_grad=True)
    lab = torch.tensor([0, 1, 2, 3] * 3)
    rank_loss(emb, lab).backward()
    assert emb.grad is not None


def test_metrics():
    m = summarize([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0])
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["recall"]["HD"] == 0.5 and m["recall"]["HE"] is None
    assert m["average_accuracy"] == pytest.approx((0.5 + 1 + 2 / 3) / 3)
    assert m["confusion"][2] == [1, 0, 2, 0]


def test_scaled_momentum_keeps_the_time_constant_a_fraction_of_training():
    from engage.model.training import scaled_momentum

    assert scaled_momentum(0.999, None, 2000) == 0.999 and scaled_momentum(0.999, 0, 2000) == 0.999
    assert scaled_momentum(0.999, 2000, 2000) == pytest.approx(0.999)
    m = scaled_momentum(0.999, 46800, 2028)  # the paper's 1200 epochs x 39 steps -> a 2028-step run
    assert m == pytest.approx(1 - 0.001 * 46800 / 2028)
    # time constant 1/(1-m): 1000 steps of 46800 in the paper = 2.1 %, the same fraction of 2028 steps
    assert (1 / (1 - m)) / 2028 == pytest.approx(1000 / 46800)
    assert scaled_momentum(0.999, 10, 100) == pytest.approx(0.9999)  # a longer run than the reference: slower
    assert scaled_momentum(0.9, 1000, 10) == 0.0  # floored: the encoder follows the model
    with pytest.raises(ValueError):
        scaled_momentum(0.999, 100, 0)


def test_training_uses_the_scaled_momentum():
    a = arrays(n=80)  # 80 training rows, batch 32: 3 steps per epoch, 2 epochs = 6 steps
    _, plain = train_model(a, {}, {"loss": "mocorank", **SMALL}, {**FAST, "epochs": 2, "momentum": 0.99})
    _, scaled = train_model(a, {}, {"loss": "mocorank", **SMALL},
                            {**FAST, "epochs": 2, "momentum": 0.99, "momentum_reference_steps": 40})
    assert plain[-1]["momentum"] == 0.99
    assert scaled[-1]["momentum"] == pytest.approx(1 - 0.01 * 40 / 6)
    _, ce = train_model(a, {}, {"loss": "ce", **SMALL}, {**FAST, "epochs": 1, "momentum_reference_steps": 40})
    assert np.isnan(ce[-1]["momentum"])  # other losses have no momentum encoder


def test_train_run_records_the_momentum_used(tmp_path, monkeypatch):
    from engage.model import stages
    from engage.model.checkpoint import load_model

    monkeypatch.setattr(stages, "load_dataset", lambda path: (arrays(n=80), {}))
    out = tmp_path / "model.pt"
    stages.train_run(dataset="synthetic", run_name="moco", run={"loss": "mocorank", **SMALL},
                     train={**FAST, "epochs": 2, "momentum": 0.99, "momentum_reference_steps": 40},
                     model_out=str(out), log_out=str(tmp_path / "train_log.csv"))
    _, info = load_model(out)
    assert info["mocorank_momentum"] == {"joint": pytest.approx(1 - 0.01 * 40 / 6)}
    assert info["train"]["momentum"] == 0.99 and info["train"]["momentum_reference_steps"] == 40
