"""Light-ASD visual encoder: (2+1)-D split convolutions over grayscale 112x112 face crops.

Each block factorises a 3-D convolution into a spatial one (``s_k``, 1 x k x k) and a temporal
one (``t_k``, k x 1 x 1), in two branches (k = 3 and 5) summed and mixed by a 1x1x1 convolution.
The spatial map is reduced by a stride-2 first block and two max-pools, then max-pooled to one
128-d vector per frame. Parameter names follow the public checkpoint.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

#: Pixel normalisation the public model was trained with (grayscale / 255, then standardised).
PIXEL_MEAN = 0.4161
PIXEL_STD = 0.1688


def _bn3d(channels: int) -> nn.BatchNorm3d:
    return nn.BatchNorm3d(channels, momentum=0.01, eps=0.001)


def _temporal_conv(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, pad: int) -> torch.Tensor:
    """Apply a (k, 1, 1) Conv3d as a Conv2d over a (B, C, T, H*W) view: same numbers, but PyTorch's
    CPU backend runs Conv3d with spatial kernel 1 on a slow generic path (about 30x slower here)."""
    b, c, t, h, w = x.shape
    y = F.conv2d(x.reshape(b, c, t, h * w), weight.squeeze(-1), bias, padding=(pad, 0))
    return y.view(b, -1, t, h, w)


def _spatial_cl(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, stride, padding) -> torch.Tensor:
    """(1, k, k) conv on (B, T, H, W, C) memory: a channels-last Conv2d over B*T frames (no copies)."""
    b, t, h, w, c = x.shape
    y = F.conv2d(x.reshape(b * t, h, w, c).permute(0, 3, 1, 2), weight[:, :, 0], bias, stride=stride[1:], padding=padding[1:])
    y = y.contiguous(memory_format=torch.channels_last)
    return y.permute(0, 2, 3, 1).reshape(b, t, y.shape[2], y.shape[3], -1)


def _temporal_cl(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, pad: int) -> torch.Tensor:
    """(k, 1, 1) conv on (B, T, H, W, C) memory: a channels-last Conv2d over (T, H*W) (no copies)."""
    b, t, h, w, c = x.shape
    y = F.conv2d(x.reshape(b, t, h * w, c).permute(0, 3, 1, 2), weight.squeeze(-1), bias, padding=(pad, 0))
    y = y.contiguous(memory_format=torch.channels_last)
    return y.permute(0, 2, 3, 1).reshape(b, t, h, w, -1)


def _halve_space_cl(x: torch.Tensor) -> torch.Tensor:
    b, t, h, w, c = x.shape
    y = F.max_pool2d(x.reshape(b * t, h, w, c).permute(0, 3, 1, 2), 3, 2, 1).contiguous(memory_format=torch.channels_last)
    return y.permute(0, 2, 3, 1).reshape(b, t, y.shape[2], y.shape[3], c)


def _fold(conv: nn.Conv3d, bn: nn.BatchNorm3d) -> tuple[torch.Tensor, torch.Tensor]:
    """Conv weight and bias with an eval-mode BatchNorm folded in (inference only)."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    weight = conv.weight * scale.view(-1, 1, 1, 1, 1)
    return weight.detach().contiguous(), (bn.bias - bn.running_mean * scale).detach().contiguous()


class VisualBlock(nn.Module):
    """Two (2+1)-D branches (kernel 3 and 5), summed, then a 1x1x1 mix; ``downsample`` strides space by 2."""

    def __init__(self, in_channels: int, out_channels: int, downsample: bool = False):
        super().__init__()
        stride = (1, 2, 2) if downsample else (1, 1, 1)
        for k in (3, 5):
            setattr(self, f"s_{k}", nn.Conv3d(in_channels, out_channels, (1, k, k), stride=stride, padding=(0, k // 2, k // 2), bias=False))
            setattr(self, f"bn_s_{k}", _bn3d(out_channels))
            setattr(self, f"t_{k}", nn.Conv3d(out_channels, out_channels, (k, 1, 1), padding=(k // 2, 0, 0), bias=False))
            setattr(self, f"bn_t_{k}", _bn3d(out_channels))
        self.last = nn.Conv3d(out_channels, out_channels, 1, bias=False)
        self.bn_last = _bn3d(out_channels)
        self._folded: dict | None = None

    def fold_batchnorm(self) -> None:
        """Cache conv weights with BatchNorm folded in, for eval-mode inference (about 1.5x faster
        on CPU). Call again after loading other weights; training mode ignores the cache."""
        names = [f"{p}_{k}" for k in (3, 5) for p in ("s", "t")] + ["last"]
        self._folded = {n: _fold(getattr(self, n), getattr(self, f"bn_{n}")) for n in names}

    def _branch(self, x: torch.Tensor, k: int) -> torch.Tensor:
        s, t = getattr(self, f"s_{k}"), getattr(self, f"t_{k}")
        if self._folded is not None and not self.training:
            x = F.conv3d(x, *self._folded[f"s_{k}"], stride=s.stride, padding=s.padding).relu_()
            return _temporal_conv(x, *self._folded[f"t_{k}"], t.padding[0]).relu_()
        x = F.relu(getattr(self, f"bn_s_{k}")(s(x)))
        return F.relu(getattr(self, f"bn_t_{k}")(_temporal_conv(x, t.weight, None, t.padding[0])))

    def forward_folded_cl(self, x: torch.Tensor) -> torch.Tensor:
        """Inference path on (B, T, H, W, C) memory with folded BatchNorm (same numbers, ~1.5x faster
        on CPU: every convolution becomes a channels-last Conv2d on a view, no layout copies)."""
        out = None
        for k in (3, 5):
            s, t = getattr(self, f"s_{k}"), getattr(self, f"t_{k}")
            y = _spatial_cl(x, *self._folded[f"s_{k}"], s.stride, s.padding).relu_()
            y = _temporal_cl(y, *self._folded[f"t_{k}"], t.padding[0]).relu_()
            out = y if out is None else out.add_(y)
        return _temporal_cl(out, *self._folded["last"], 0).relu_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self._branch(x, 3) + self._branch(x, 5)
        if self._folded is not None and not self.training:
            return _temporal_conv(x, *self._folded["last"], 0).relu_()
        return F.relu(self.bn_last(_temporal_conv(x, self.last.weight, None, 0)))


class LightVisualEncoder(nn.Module):
    """(B, T, 112, 112) gray pixels 0..255 -> (B, T, 128) embeddings."""

    def __init__(self):
        super().__init__()
        self.block1 = VisualBlock(1, 32, downsample=True)
        self.block2 = VisualBlock(32, 64)
        self.block3 = VisualBlock(64, 128)
        for m in self.modules():
            if isinstance(m, nn.Conv3d):
                nn.init.kaiming_normal_(m.weight)

    def fold_batchnorm(self) -> None:
        for block in (self.block1, self.block2, self.block3):
            block.fold_batchnorm()

    @staticmethod
    def _halve_space(x: torch.Tensor) -> torch.Tensor:
        return F.max_pool3d(x, kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))

    def forward(self, faces: torch.Tensor) -> torch.Tensor:
        if self.block1._folded is not None and not self.training:
            x = ((faces / 255.0 - PIXEL_MEAN) / PIXEL_STD).unsqueeze(-1)  # (B, T, H, W, 1)
            x = _halve_space_cl(self.block1.forward_folded_cl(x))
            x = _halve_space_cl(self.block2.forward_folded_cl(x))
            return self.block3.forward_folded_cl(x).amax(dim=(2, 3))  # (B, T, 128)
        x = (faces.unsqueeze(1) / 255.0 - PIXEL_MEAN) / PIXEL_STD  # (B, 1, T, H, W)
        x = self._halve_space(self.block1(x))
        x = self._halve_space(self.block2(x))
        x = self.block3(x)  # (B, 128, T, h, w)
        return x.amax(dim=(3, 4)).transpose(1, 2)
