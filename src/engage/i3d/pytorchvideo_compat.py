"""Import pytorchvideo's model code in an environment without a working torchvision.

Why: pytorchvideo 0.1.5 (the latest release) imports ``torchvision.ops.RoIAlign`` at import time
in ``pytorchvideo.models.head`` (only its ROI detection head uses it), and its transforms import
``torchvision.transforms.functional_tensor`` (renamed ``_functional_tensor`` in torchvision 0.17).
Only CUDA builds of torchvision exist for current torch, and they fail to import next to the CPU
torch wheel, so the CPU environment has no torchvision at all.

What: :func:`import_pytorchvideo_models` imports ``pytorchvideo.models.hub.resnet``.
- If torchvision imports, it is used as is (plus the ``functional_tensor`` alias if missing).
- Otherwise, *only for the duration of the import*, stand-in modules ``torchvision`` and
  ``torchvision.ops`` are put into ``sys.modules``; their ``RoIAlign`` raises if anyone builds
  it. ``i3d_r50`` never does (it has no ROI head). The stand-ins are removed again right after,
  so ``import torchvision`` elsewhere in the process still fails normally and libraries that
  probe for torchvision (transformers) are not fooled.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import types
from typing import Iterator

log = logging.getLogger(__name__)

_STUB_NAMES = ("torchvision", "torchvision.ops")


class _RoIAlignUnavailable:
    """Placeholder for ``torchvision.ops.RoIAlign`` (ROI heads need the real torchvision)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "torchvision.ops.RoIAlign is not available: torchvision is not installed "
            "(engage.i3d.pytorchvideo_compat stand-in); only models without an ROI head work"
        )


def _torchvision_works() -> bool:
    before = set(sys.modules)
    try:
        importlib.import_module("torchvision")
        importlib.import_module("torchvision.ops")
        return True
    except Exception as err:  # ImportError, or RuntimeError "operator torchvision::nms does not exist"
        log.info("torchvision is not usable (%s: %s): pytorchvideo runs with the stand-in ops (no ROI heads)",
                 type(err).__name__, " ".join(str(err).split())[:200])
        for name in set(sys.modules) - before:  # drop a half-imported broken torchvision
            if name == "torchvision" or name.startswith("torchvision."):
                del sys.modules[name]
        return False


def _alias_functional_tensor() -> None:
    """torchvision >= 0.17 renamed transforms.functional_tensor; pytorchvideo.transforms wants the old name."""
    name = "torchvision.transforms.functional_tensor"
    if name not in sys.modules:
        with contextlib.suppress(ImportError):
            sys.modules[name] = importlib.import_module("torchvision.transforms._functional_tensor")


@contextlib.contextmanager
def _stand_in_torchvision() -> Iterator[None]:
    tv = types.ModuleType("torchvision")
    tv.__doc__ = "engage stand-in (torchvision not installed); see engage.i3d.pytorchvideo_compat"
    ops = types.ModuleType("torchvision.ops")
    ops.RoIAlign = _RoIAlignUnavailable
    tv.ops = ops
    saved = {n: sys.modules.get(n) for n in _STUB_NAMES}
    sys.modules.update({"torchvision": tv, "torchvision.ops": ops})
    try:
        yield
    finally:
        for n, mod in saved.items():
            if mod is None:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = mod


def import_pytorchvideo_models() -> types.ModuleType:
    """Return ``pytorchvideo.models.hub.resnet`` (has ``i3d_r50``), with or without torchvision."""
    if "pytorchvideo.models.hub.resnet" in sys.modules:
        return sys.modules["pytorchvideo.models.hub.resnet"]
    if _torchvision_works():
        _alias_functional_tensor()
        return importlib.import_module("pytorchvideo.models.hub.resnet")
    log.info("torchvision not importable: importing pytorchvideo models with a RoIAlign stand-in")
    with _stand_in_torchvision():
        return importlib.import_module("pytorchvideo.models.hub.resnet")
