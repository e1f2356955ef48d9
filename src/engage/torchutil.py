"""The one torch helper: device and precision choice (logged once per stage), strict checkpoint
loading, and the registry of model architectures keyed by their config name.

Why one place: the GPU stages (i3d, asd, text, train, predict) must agree on what ``auto`` means,
refuse an explicit device that is not there (a ConfigError, never a silent CPU fallback), say in the
log which device and precision they really use, and read checkpoints only as tensors
(``torch.load(weights_only=True)``, no pickled code).

torch is imported inside the functions: importing this module (e.g. for the registry) stays cheap.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
from typing import Any, Callable, ContextManager, Generic, Sequence, TypeVar

from engage.errors import ConfigError

T = TypeVar("T")

PRECISIONS = ("auto", "fp32", "bf16", "fp16")


def pick_device(setting: str | None = "auto", *, config_key: str):
    """``auto`` (or empty): CUDA when torch sees a GPU, else CPU; otherwise the given device, which must exist.

    An explicit device that is not available (``cuda`` without a GPU, ``cuda:3`` on a one-GPU machine, a
    name torch does not know) is a :class:`ConfigError` naming ``config_key``.
    """
    import torch

    if setting in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(setting)
    except (RuntimeError, TypeError) as err:
        raise ConfigError(f"{config_key} '{setting}' is not a torch device ({err})") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"{config_key} is '{setting}' but no CUDA device is available (use auto or cpu)")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ConfigError(f"{config_key} is '{setting}' but torch sees {torch.cuda.device_count()} CUDA device(s)")
    elif dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ConfigError(f"{config_key} is '{setting}' but no MPS device is available (use auto or cpu)")
    elif dev.type not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"{config_key} '{setting}' is not supported (use auto, cpu, cuda or cuda:N)")
    return dev


def pick_precision(device, precision: str = "auto", *, config_key: str):
    """The compute dtype: ``auto`` = bf16 on CUDA when supported, else fp16; fp32 on CPU (exact, deterministic)."""
    import torch

    if precision not in PRECISIONS:
        raise ConfigError(f"{config_key} {precision!r}: use {', '.join(PRECISIONS)}")
    if precision == "fp32" or (precision == "auto" and device.type != "cuda"):
        return torch.float32
    if precision == "bf16":
        return torch.bfloat16
    if precision == "fp16":
        return torch.float16
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def autocast(device, dtype) -> ContextManager:
    """Mixed precision for ``dtype`` below fp32; nothing for fp32."""
    import torch

    if dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def precision_name(dtype) -> str:
    """``fp32`` / ``bf16`` / ``fp16`` for a torch dtype."""
    return {"float32": "fp32", "bfloat16": "bf16", "float16": "fp16"}.get(str(dtype).replace("torch.", ""), str(dtype))


def describe(device, dtype=None) -> str:
    """``device cuda:0 (NVIDIA H200), precision bf16 autocast`` / ``device cpu, precision fp32``."""
    import torch

    dtype = torch.float32 if dtype is None else dtype
    name = str(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        name = f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    mode = "" if dtype == torch.float32 else " autocast"
    return f"device {name}, precision {precision_name(dtype)}{mode}"


def log_device(logger: logging.Logger, stage: str, device, dtype=None) -> None:
    """The one line per stage that says which device and precision it computes with."""
    logger.info("%s: %s", stage, describe(device, dtype))


def load_weights_only(path: str | os.PathLike, *, what: str) -> Any:
    """``torch.load(path, map_location="cpu", weights_only=True)``; an unreadable file, or one that needs
    code to unpickle, is a one-line :class:`ConfigError` naming ``what`` and the path."""
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # UnpicklingError for files with code, zip/EOF errors for junk
        text = " ".join(str(err).split())
        first = text[:300] if text else type(err).__name__
        raise ConfigError(f"cannot read {what} {path} with torch.load(weights_only=True): {first}") from None


class Registry(Generic[T]):
    """Constructors keyed by their config name, filled by the :meth:`register` decorator.

    ``modules`` are imported on first lookup (their decorators fill the registry), so that the import
    of a heavy optional dependency happens only when it is asked for.
    """

    def __init__(self, what: str, config_key: str, modules: Sequence[str] = ()):
        self.what = what
        self.config_key = config_key
        self._modules = tuple(modules)
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: make the decorated class or function the entry ``name``."""

        def deco(obj: T) -> T:
            if name in self._entries and self._entries[name] is not obj:
                raise ValueError(f"{self.what} '{name}' registered twice")
            self._entries[name] = obj
            return obj

        return deco

    def _load(self) -> None:
        for m in self._modules:
            importlib.import_module(m)

    def names(self) -> list[str]:
        self._load()
        return sorted(self._entries)

    def get(self, name: str) -> T:
        """The entry ``name``; an unknown name is a ConfigError listing the valid ones."""
        valid = self.names()
        if name not in self._entries:
            raise ConfigError(f"unknown {self.what} '{name}' (config {self.config_key}); valid: {', '.join(valid)}")
        return self._entries[name]
