"""i3d_r50 via pytorchvideo without torchvision: the scoped stand-in, strict loading, 2048-d embeddings."""

from __future__ import annotations

import importlib.util
import sys

import pytest
import torch

from engage.i3d.checkpoint import build_with_weights, random_init
from engage.i3d.registry import get_model_spec

SPEC = get_model_spec("i3d_r50")


def _torchvision_installed() -> bool:
    try:
        import torchvision  # noqa: F401

        return True
    except Exception:
        return False


def test_i3d_r50_builds_loads_strictly_and_embeds_2048(tmp_path):
    had_torchvision = _torchvision_installed()
    model = SPEC.build(400)
    if not had_torchvision:  # the stand-in was used only while importing pytorchvideo
        assert "torchvision" not in sys.modules and "torchvision.ops" not in sys.modules
        assert importlib.util.find_spec("torchvision") is None
        with pytest.raises(ImportError):
            import torchvision  # noqa: F401
    assert next(iter(model.state_dict())) == "blocks.0.conv.weight"  # pytorchvideo's own key layout
    random_init(model, seed=5)
    path = tmp_path / "I3D_8x8_R50.pyth"
    torch.save({"model_state": model.state_dict(), "epoch": torch.tensor(196)}, path)  # pytorchvideo checkpoint layout
    loaded, _ = build_with_weights(SPEC, path)
    for k, v in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k
    with torch.inference_mode():
        emb = loaded.embed(torch.rand(1, 3, 8, 224, 224) * 2 - 1)  # 8 frames: the 8x8 recipe
    assert emb.shape == (1, 2048) and emb.dtype == torch.float32 and torch.isfinite(emb).all()


def test_roi_align_stand_in_refuses_use():
    if _torchvision_installed():
        pytest.skip("real torchvision installed: no stand-in")
    SPEC.build(400)
    head = sys.modules["pytorchvideo.models.head"]
    with pytest.raises(RuntimeError, match="RoIAlign is not available"):
        head.RoIAlign(output_size=(7, 7), spatial_scale=1.0, sampling_ratio=0)
