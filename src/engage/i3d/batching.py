"""Decode clips in background threads and run the model on batches of windows from all clips.

Why threads: each clip is decoded by its own ffmpeg process (scaling included); the Python side
only reads pipes and crops, which releases the GIL, so a small thread pool keeps several ffmpeg
processes busy while the main thread feeds the GPU. Clips are consumed in table order and
windows are batched in that order, so batch composition, and therefore every number, is the
same on every run (CPU results are bit-identical).

Per clip the embedding is the mean of its window embeddings (summed in float64).
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
import torch
import torch.nn as nn

from engage.i3d.preprocess import cut_window, window_starts
from engage.i3d.registry import ModelSpec
from engage.torchutil import autocast
from engage.logutil import progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowPlan:
    window: int  # frames on the 25 fps timeline
    stride: int
    frame_step: int = 1  # model input = every frame_step-th frame of a window
    max_windows: int = 0  # 0 = all


def decoded_in_order(
    paths: Sequence[str], decode: Callable[[str], np.ndarray], workers: int, prefetch: int | None = None
) -> Iterator[np.ndarray]:
    """``decode(path)`` for each path, in order, with up to ``prefetch`` clips decoding ahead."""
    workers = max(1, int(workers))
    ahead = max(workers, prefetch or 2 * workers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="i3d-decode") as pool:
        pending: deque = deque()
        todo = iter(paths)
        for p in todo:
            pending.append(pool.submit(decode, p))
            if len(pending) >= ahead:
                break
        while pending:
            frames = pending.popleft().result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.submit(decode, nxt))
            yield frames


def window_batches(
    clips: Iterable[np.ndarray], plan: WindowPlan, batch_size: int, n_windows: list[int]
) -> Iterator[tuple[list[np.ndarray], list[int]]]:
    """Lists of up to ``batch_size`` windows (T, 224, 224, 3) across clips, with each window's clip index.

    Windows are views into the decoded clips where possible; the one copy happens into the
    embedder's staging buffer. ``n_windows`` is filled with each clip's window count as clips arrive.
    """
    rows: list[np.ndarray] = []
    owners: list[int] = []
    for ci, frames in enumerate(clips):
        starts = window_starts(len(frames), plan.window, plan.stride, plan.max_windows)
        n_windows.append(len(starts))
        for s in starts:
            rows.append(cut_window(frames, s, plan.window, plan.frame_step))
            owners.append(ci)
            if len(rows) == batch_size:
                yield rows, owners
                rows, owners = [], []
    if rows:
        yield rows, owners


class HostStaging:
    """Reusable host buffers for batches (pinned on CUDA: fast async copies without re-pinning).

    Two buffers alternate; before one is refilled we wait for the event recorded after its last
    host-to-device copy, so the copy of batch k+1 can overlap the compute of batch k safely.
    """

    def __init__(self, pinned: bool, n: int = 2):
        self.pinned = pinned
        self.buffers: list[torch.Tensor | None] = [None] * n
        self.events: list = [None] * n
        self.turn = 0

    def fill(self, windows: list[np.ndarray]) -> tuple[torch.Tensor, int]:
        i = self.turn = (self.turn + 1) % len(self.buffers)
        if self.events[i] is not None:
            self.events[i].synchronize()
        shape = (len(windows), *windows[0].shape)
        buf = self.buffers[i]
        if buf is None or buf.shape[0] < shape[0] or buf.shape[1:] != shape[1:]:
            buf = torch.empty(shape, dtype=torch.uint8, pin_memory=self.pinned)
            self.buffers[i] = buf
        host = buf.numpy()
        for j, w in enumerate(windows):
            host[j] = w
        return buf[: shape[0]], i

    def copied(self, i: int) -> None:
        if self.pinned:
            self.events[i] = torch.cuda.Event()
            self.events[i].record()


class WindowEmbedder:
    """uint8 BGR windows -> (B, D) embeddings on the device: BGR->RGB and normalisation on the
    device, AMP autocast, inference mode, optional channels_last_3d."""

    def __init__(self, model: nn.Module, spec: ModelSpec, device: torch.device, dtype: torch.dtype, channels_last: bool):
        self.device = device
        self.dtype = dtype
        self.channels_last = channels_last  # faster on CUDA (cuDNN) and on CPU (oneDNN) alike
        self.model = model.to(device)
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last_3d)
        std = torch.tensor(spec.std, dtype=torch.float32)
        mean = torch.tensor(spec.mean, dtype=torch.float32)
        # x01 = x / 255; (x01 - mean) / std == x * scale + shift   (per RGB channel)
        self.scale = (1.0 / (255.0 * std)).view(1, 3, 1, 1, 1).to(device)
        self.shift = (-mean / std).view(1, 3, 1, 1, 1).to(device)
        self.staging = HostStaging(pinned=device.type == "cuda")

    def __call__(self, windows: list[np.ndarray]) -> torch.Tensor:
        host, slot = self.staging.fill(windows)
        x = host.to(self.device, non_blocking=True) if self.device.type == "cuda" else host
        self.staging.copied(slot)
        with torch.inference_mode():
            x = x.permute(0, 4, 1, 2, 3).flip(1).float() * self.scale + self.shift  # (B, 3 RGB, T, H, W)
            x = x.contiguous(memory_format=torch.channels_last_3d) if self.channels_last else x.contiguous()
            with autocast(self.device, self.dtype):
                y = self.model.embed(x)
            return y.float()


def embed_clips(
    paths: Sequence[str],
    decode: Callable[[str], np.ndarray],
    embedder: WindowEmbedder,
    plan: WindowPlan,
    *,
    batch_size: int,
    workers: int,
    embed_dim: int,
) -> tuple[np.ndarray, list[int]]:
    """Mean window embedding per clip (N, D) float32 and the number of windows per clip."""
    sums = np.zeros((len(paths), embed_dim), dtype=np.float64)
    n_windows: list[int] = []
    decoded = progress(decoded_in_order(paths, decode, workers), len(paths), "i3d clips embedded", log)
    pending: tuple[torch.Tensor, list[int]] | None = None

    def flush(item: tuple[torch.Tensor, list[int]]) -> None:
        y, owners = item
        for row, ci in zip(y.cpu().numpy().astype(np.float64), owners):
            sums[ci] += row

    for batch, owners in window_batches(decoded, plan, batch_size, n_windows):
        out = embedder(batch)  # queued on the GPU; the previous batch is copied back meanwhile
        if pending is not None:
            flush(pending)
        pending = (out, owners)
    if pending is not None:
        flush(pending)
    counts = np.asarray(n_windows, dtype=np.float64).reshape(-1, 1)
    return (sums / np.maximum(counts, 1)).astype(np.float32), n_windows
