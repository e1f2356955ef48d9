"""Inception-I3D: public (piergiaj/pytorch-i3d) parameter layout, strict checkpoint loading, SAME padding."""

from __future__ import annotations

import collections
import pickle

import pytest
import torch

from engage.errors import ConfigError
from engage.i3d.checkpoint import build_with_weights, random_init, read_state_dict
from engage.i3d.inception_i3d import InceptionI3d
from engage.i3d.registry import get_model_spec, model_names
from engage.i3d.same_padding import MaxPool3dSamePadding, same_pad_amounts

SPEC = get_model_spec("inception_i3d")


@pytest.fixture(scope="module")
def public_checkpoint(tmp_path_factory):
    """A checkpoint in the public layout: plain dict, no num_batches_tracked (saved by torch 0.3/0.4)."""
    model = InceptionI3d()
    random_init(model, seed=7)
    sd = collections.OrderedDict((k, v.clone()) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked"))
    for k in sd:  # non-trivial BN statistics, so loading them is observable
        if k.endswith("running_var"):
            sd[k] = torch.rand_like(sd[k]) + 0.5
    path = tmp_path_factory.mktemp("ckpt") / "rgb_imagenet.pt"
    torch.save(sd, path)
    return path, sd


def test_same_padding_matches_tf_rule():
    # 224 wide, kernel 7 stride 2: divisible -> 7-2 = 5 -> (2, 3); 9 frames kernel 3 stride 2 -> 3-1 = 2 -> (1, 1)
    assert same_pad_amounts((9, 224, 224), (3, 7, 7), (2, 2, 2)) == (2, 3, 2, 3, 1, 1)
    pool = MaxPool3dSamePadding(kernel_size=(3, 3, 3), stride=(2, 2, 2), padding=0)
    assert pool(torch.zeros(1, 1, 9, 28, 27)).shape[2:] == (5, 14, 14)  # ceil(size / stride)


def test_registry_lists_models_and_rejects_unknown():
    assert model_names() == ["i3d_r50", "inception_i3d"]
    with pytest.raises(ConfigError, match="valid: i3d_r50, inception_i3d"):
        get_model_spec("i3d_inception")


def test_parameter_names_are_public_layout():
    sd = InceptionI3d().state_dict()
    for key in ("Conv3d_1a_7x7.conv3d.weight", "Conv3d_1a_7x7.bn.running_var", "Conv3d_2c_3x3.bn.bias",
                "Mixed_3b.b1b.conv3d.weight", "Mixed_5c.b3b.bn.running_mean", "logits.conv3d.weight", "logits.conv3d.bias"):
        assert key in sd, key
    assert sd["Conv3d_1a_7x7.conv3d.weight"].shape == (64, 3, 7, 7, 7)
    assert sd["Mixed_5c.b0.conv3d.weight"].shape == (384, 832, 1, 1, 1)
    assert sd["logits.conv3d.weight"].shape == (400, 1024, 1, 1, 1)
    tops = {k.split(".")[0] for k in sd}
    assert tops == set(InceptionI3d.END_POINTS) - {n for n in InceptionI3d.END_POINTS if n.startswith("MaxPool")} | {"logits"}
    n_params = sum(v.numel() for k, v in sd.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked")))
    assert n_params == 12_697_264  # 12.29 M backbone + 400x1024 logits, as the public model
    bn = InceptionI3d().Conv3d_1a_7x7.bn
    assert (bn.eps, bn.momentum) == (1e-3, 0.01)


def test_strict_load_of_public_layout_checkpoint(public_checkpoint):
    path, sd = public_checkpoint
    model, tag = build_with_weights(SPEC, path)
    assert tag == str(path) and not model.training
    loaded = model.state_dict()
    for k, v in sd.items():
        assert torch.equal(loaded[k], v), k


def test_charades_head_size_is_read_from_checkpoint(tmp_path, public_checkpoint):
    _, sd = public_checkpoint
    sd = dict(sd, **{"logits.conv3d.weight": torch.zeros(157, 1024, 1, 1, 1), "logits.conv3d.bias": torch.zeros(157)})
    path = tmp_path / "rgb_charades.pt"
    torch.save({"state_dict": {f"module.{k}": v for k, v in sd.items()}}, path)  # wrapped + DataParallel prefix
    model, _ = build_with_weights(SPEC, path)
    assert model.num_classes == 157


def test_wrong_key_fails(tmp_path, public_checkpoint):
    _, sd = public_checkpoint
    bad = dict(sd)
    bad["Mixed_4b.b0.conv.weight"] = bad.pop("Mixed_4b.b0.conv3d.weight")
    path = tmp_path / "renamed.pt"
    torch.save(bad, path)
    with pytest.raises(ConfigError, match=r"does not fit model inception_i3d.*Mixed_4b\.b0\.conv"):
        build_with_weights(SPEC, path)


def test_wrong_shape_fails(tmp_path, public_checkpoint):
    _, sd = public_checkpoint
    bad = dict(sd, **{"Mixed_3c.b1b.conv3d.weight": torch.zeros(192, 128, 1, 3, 3)})
    path = tmp_path / "shape.pt"
    torch.save(bad, path)
    with pytest.raises(ConfigError, match="size mismatch for Mixed_3c.b1b.conv3d.weight"):
        build_with_weights(SPEC, path)


class _Evil:
    def __reduce__(self):
        return (print, ("pickled code ran",))


def test_checkpoint_with_pickled_code_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        pickle.dump({"x": _Evil()}, f)
    with pytest.raises(ConfigError, match="weights_only=True"):
        read_state_dict(path)


def test_random_init_is_seeded_and_not_vanishing():
    a, b = InceptionI3d(), InceptionI3d()
    random_init(a, 3)
    random_init(b, 3)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)
    w = a.Mixed_4c.b1b.conv3d.weight
    assert abs(w.std().item() - (2 / w[0].numel()) ** 0.5) < 0.01
