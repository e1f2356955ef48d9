"""Device and numeric precision for inference (never hard-coded: config ``i3d.device``/``i3d.precision``)."""

from __future__ import annotations

import contextlib
from typing import ContextManager

import torch

from engage.errors import ConfigError


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"i3d.device is {name!r} but no CUDA device is available (use auto or cpu)")
    return torch.device(name)


def pick_dtype(device: torch.device, precision: str = "auto") -> torch.dtype:
    """auto: bf16 on CUDA when supported, else fp16; fp32 on CPU (exact and deterministic)."""
    if precision == "fp32" or (precision == "auto" and device.type != "cuda"):
        return torch.float32
    if precision == "bf16":
        return torch.bfloat16
    if precision == "fp16":
        return torch.float16
    if precision == "auto":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    raise ConfigError(f"i3d.precision {precision!r}: use auto, fp32, bf16 or fp16")


def autocast(device: torch.device, dtype: torch.dtype) -> ContextManager:
    if dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)
