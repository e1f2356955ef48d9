"""i3d preprocessing: resize/crop geometry, windows, looping, decode to RGB 224x224."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import torch

from engage.errors import SessionError
from engage.i3d.batching import WindowEmbedder
from engage.i3d.registry import get_model_spec
from engage.i3d.preprocess import centre_crop_box, cut_window, decode_clip, window_starts
from i3d_helpers import DATA, make_clip


def test_centre_crop_box_is_resize_256_then_centre_224():
    # 640x360: short side 360 -> 256 (x 0.711); 224 px there = 315 source px, centred
    assert centre_crop_box(640, 360) == (162, 22, 315, 315)
    assert centre_crop_box(360, 640) == (22, 162, 315, 315)
    assert centre_crop_box(256, 256) == (16, 16, 224, 224)  # exactly the public crop
    assert centre_crop_box(160, 120) == (27, 7, 105, 105)  # small tiles are upscaled afterwards


def test_window_starts_full_windows_tail_dropped():
    assert window_starts(250, 64, 64) == [0, 64, 128]  # a 10 s clip: 3 windows, 58 frames dropped
    assert window_starts(64, 64, 64) == [0]
    assert window_starts(30, 64, 64) == [0]  # shorter than a window: looped
    assert window_starts(250, 64, 32) == [0, 32, 64, 96, 128, 160]
    assert window_starts(250, 64, 32, max_windows=2) == [0, 160]


def test_cut_window_loops_short_clip():
    frames = np.arange(5)[:, None, None, None] * np.ones((5, 2, 2, 3), np.uint8)
    out = cut_window(frames, 0, 9)
    assert out[:, 0, 0, 0].tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3]
    assert cut_window(frames, 1, 4, step=2)[:, 0, 0, 0].tolist() == [1, 3]


def test_decode_clip_bgr_224(tmp_path):
    red = tmp_path / "red.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=200x120:r=25:d=0.4",
                    "-pix_fmt", "yuv420p", str(red)], check=True)
    frames = decode_clip(red, session="s")
    assert frames.shape == (10, 224, 224, 3) and frames.dtype == np.uint8
    b, g, r = frames[5, 112, 112].astype(int)
    assert r > 200 and g < 60 and b < 60  # ffmpeg's BGR order; flipped to RGB on the device


def test_decode_clip_real_video(tmp_path):
    clip = make_clip(DATA / "silent_single_face.mp4", tmp_path / "c.mp4", 7, (120, 90))
    frames = decode_clip(clip)
    assert frames.shape == (7, 224, 224, 3)
    assert frames.std() > 5  # real picture content, not a blank


def test_decode_clip_corrupt(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video" * 100)
    with pytest.raises(SessionError, match="bad.mp4"):
        decode_clip(bad, session="s")


class _ChannelMeans(torch.nn.Module):
    """Stand-in network: the 'embedding' is the mean of each input channel."""

    def embed(self, x):
        return x.mean(dim=(2, 3, 4))


@pytest.mark.parametrize("model,expected", [("inception_i3d", [1.0, -1.0, -1.0]), ("i3d_r50", [2.444, -2.0, -2.0])])
def test_embedder_feeds_rgb_normalised(model, expected):
    red_bgr = np.zeros((9, 224, 224, 3), np.uint8)
    red_bgr[..., 2] = 255
    emb = WindowEmbedder(_ChannelMeans(), get_model_spec(model), torch.device("cpu"), torch.float32, channels_last=True)
    out = emb([red_bgr, red_bgr])
    np.testing.assert_allclose(out.numpy(), [expected, expected], atol=1e-3)
    out2 = emb([red_bgr[:, :, :, ::-1]])  # the staging buffer is reused with a new batch size
    np.testing.assert_allclose(out2.numpy(), [[expected[1], expected[1], expected[0]]], atol=1e-3)
