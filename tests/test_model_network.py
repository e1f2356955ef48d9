"""The CMOSE network: output ranges and shapes for every ablation variant, TCN causality, checkpoint."""

import numpy as np
import pytest
import torch

from engage.model.checkpoint import load_model, save_model
from engage.model.labels import score_to_index
from engage.model.network import VARIANTS, EngagementNet, ModelConfig, NormedLinear
from engage.model.tcn import TemporalConvNet


def batch(n=5, face_dim=12, T=6, i3d=32, text=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {"face": torch.randn(n, face_dim, T, generator=g), "i3d": torch.randn(n, i3d, generator=g),
            "text": torch.randn(n, text, generator=g), "aud": torch.randn(n, 7, generator=g),
            "has_speech": torch.tensor([True, False, True, False, False][:n]), "labels": torch.zeros(n, dtype=torch.long)}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("audio", [False, True])
def test_variants_output_range_and_shapes(variant, audio):
    torch.manual_seed(0)
    cfg = ModelConfig(face_dim=12, n_chunks=6, i3d_dim=32, text_dim=10, variant=variant, audio=audio, hidden=8,
                      mlp_hidden=16, tcn_levels=2, text_proj_dim=6)
    net = EngagementNet(cfg).eval()
    out, emb = net(batch())
    assert out.shape == (5,)
    assert torch.all(out.abs() <= 1 + 1e-6)
    n_parts = {"openface": 1, "i3d": 1, "attention": 1, "concat": 2, "concat_attention": 2}[variant]
    assert emb.shape == (5, 8 * n_parts + (6 + 7 if audio else 0))
    assert net.embedding_dim == emb.shape[1]
    if audio:  # clips without speech use the visual head: zeros in the audio part of the embedding
        assert torch.all(emb[1, 8 * n_parts :] == 0)


def test_classifier_outputs_four_cosines():
    net = EngagementNet(ModelConfig(face_dim=12, n_chunks=6, i3d_dim=32, text_dim=10, n_outputs=4, hidden=8)).eval()
    out, _ = net(batch())
    assert out.shape == (5, 4) and torch.all(out.abs() <= 1 + 1e-6)


def test_variants_use_only_their_inputs():
    cfg = ModelConfig(face_dim=12, n_chunks=6, i3d_dim=32, text_dim=10, variant="openface", hidden=8)
    net = EngagementNet(cfg).eval()
    b = batch()
    b2 = dict(b, i3d=torch.randn_like(b["i3d"]))
    assert torch.equal(net(b)[0], net(b2)[0])  # only OpenFace: I3D is ignored
    net = EngagementNet(ModelConfig(face_dim=12, n_chunks=6, i3d_dim=32, text_dim=10, variant="i3d", hidden=8)).eval()
    b3 = dict(b, face=torch.randn_like(b["face"]))
    assert torch.equal(net(b)[0], net(b3)[0])


def test_unknown_variant():
    with pytest.raises(ValueError, match="variant"):
        EngagementNet(ModelConfig(face_dim=3, n_chunks=2, variant="lstm"))


def test_normed_linear_range():
    layer = NormedLinear(4, 1)
    x = torch.randn(100, 4) * 100
    y = layer(x)
    assert torch.all(y.abs() <= 1 + 1e-6)
    # the output is the cosine between x and the weight vector
    w = layer.weight[:, 0]
    assert torch.allclose(y[:, 0], torch.nn.functional.cosine_similarity(x, w[None, :]), atol=1e-5)


def test_tcn_is_causal():
    torch.manual_seed(0)
    tcn = TemporalConvNet(3, [4, 4, 4], kernel_size=3, dropout=0.0).eval()
    x = torch.randn(1, 3, 12)
    y = tcn(x)
    x2 = x.clone()
    x2[:, :, 8:] += 5.0
    y2 = tcn(x2)
    assert y.shape == (1, 4, 12)
    assert torch.allclose(y[:, :, :8], y2[:, :, :8])
    assert not torch.allclose(y[:, :, 8:], y2[:, :, 8:])


def test_thresholds():
    assert score_to_index([-0.9, -0.5, -0.1, 0.0, 0.49, 0.5, 1.0]).tolist() == [0, 1, 1, 2, 2, 3, 3]


def test_checkpoint_roundtrip_weights_only(tmp_path):
    cfg = ModelConfig(face_dim=12, n_chunks=6, i3d_dim=32, text_dim=10, audio=True, hidden=8, text_proj_dim=6,
                      face_columns=["gaze_0_x"])
    net = EngagementNet(cfg).eval()
    net.set_scalers(np.ones(12), np.full(12, 2.0), np.zeros(32), np.ones(32), np.zeros(7), np.ones(7))
    save_model(tmp_path / "model.pt", net, {"run": {"loss": "mocorank"}})
    payload = torch.load(tmp_path / "model.pt", weights_only=True)
    assert payload["model_config"]["face_columns"] == ["gaze_0_x"]
    net2, info = load_model(tmp_path / "model.pt")
    b = batch()
    assert torch.equal(net(b)[0], net2(b)[0])
    assert info["run"]["loss"] == "mocorank"
