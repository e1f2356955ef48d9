"""The i3d stage: one session's clips -> ``features/i3d.parquet`` (one 1024/2048-d embedding per clip)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import torch

from engage.contract import I3D, clip_videos, read_clips
from engage.errors import ConfigError, SessionError
from engage.i3d.batching import WindowEmbedder, WindowPlan, embed_clips
from engage.i3d.checkpoint import KNOWN_GIT_BLOBS, build_with_weights
from engage.i3d.preprocess import CROP, SHORT_SIDE, decode_clip
from engage.i3d.registry import ModelSpec, get_model_spec
from engage.io.hashing import git_blob_id
from engage.io.parquet import read_meta
from engage.torchutil import log_device, pick_device, pick_precision
from engage.weights import RANDOM, RANDOM_TAG, resolve_weights

log = logging.getLogger(__name__)


def resolve_model_weights(spec: ModelSpec, weights: str, sha256: str | None) -> tuple[Path | None, str]:
    """(checkpoint path or None for random init, sha256 or ``random-init``); warns loudly on random."""
    if weights == RANDOM:
        log.warning(
            "i3d: RANDOM-INITIALISED %s weights (i3d.weights: random): embeddings are NOT Kinetics features; "
            "recorded as weights_sha256=%s. %s",
            spec.name, RANDOM_TAG, spec.checkpoint_hint,
        )
        return None, RANDOM_TAG
    path, digest = resolve_weights(
        weights, sha256 or None, what=f"{spec.name} checkpoint", config_key="i3d.weights", how_to_get=spec.checkpoint_hint
    )
    blob = git_blob_id(path)
    log.info("i3d weights %s sha256 %s git-blob %s%s", path, digest, blob,
             f" = {KNOWN_GIT_BLOBS[blob]}" if blob in KNOWN_GIT_BLOBS else "")
    return path, digest


def _check_window(spec: ModelSpec, window: int, stride: int, batch_size: int) -> None:
    if window < 1 or stride < 1 or batch_size < 1:
        raise ConfigError("i3d.window, i3d.stride and i3d.batch_size must be >= 1")
    model_frames = len(range(0, window, spec.frame_step))
    if model_frames < spec.min_frames:
        raise ConfigError(
            f"i3d.window {window} gives {model_frames} input frames for {spec.name}; it needs >= {spec.min_frames}"
            f" (every {spec.frame_step}. frame of the window)"
        )


@contextlib.contextmanager
def _torch_threads(dev: torch.device, threads: int):
    """CPU: ``threads`` torch threads for the stage (restored after); CUDA: cuDNN autotuning."""
    prev = torch.get_num_threads()
    if dev.type == "cpu":
        torch.set_num_threads(threads)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed input shapes: let cuDNN pick the fastest kernels
    try:
        yield
    finally:
        torch.set_num_threads(prev)


def _embed(session: str, clips, paths: list[str], spec: ModelSpec, weights_path: Path | None, *, dev, dtype,
           window: int, stride: int, max_windows_per_clip: int, batch_size: int, channels_last: bool, workers: int,
           seed: int) -> tuple[np.ndarray, list[int]]:
    """(clips x embed_dim embeddings, windows per clip); empty arrays for a session without clips."""
    if not paths:
        log.warning("session '%s': clips table %s has no clips; writing an empty i3d table", session, clips)
        return np.zeros((0, spec.embed_dim), np.float32), []
    net, _ = build_with_weights(spec, weights_path, seed)
    embedder = WindowEmbedder(net, spec, dev, dtype, channels_last)
    decode = functools.partial(decode_clip, session=session, ffmpeg_threads=1)
    plan = WindowPlan(window, stride, spec.frame_step, max_windows_per_clip)
    return embed_clips(paths, decode, embedder, plan, batch_size=batch_size, workers=workers, embed_dim=spec.embed_dim)


def _table(clip_ids: list[str], emb: np.ndarray, n_windows: list[int], spec: ModelSpec, weights_sha: str) -> pa.Table:
    n = len(clip_ids)
    return pa.table(
        {
            "clip_id": pa.array(clip_ids, pa.string()),
            "embedding": pa.FixedSizeListArray.from_arrays(pa.array(emb.reshape(-1), pa.float32()), spec.embed_dim),
            "n_windows": pa.array(n_windows, pa.int32()),
            "model": pa.array([spec.name] * n, pa.string()),
            "weights_sha256": pa.array([weights_sha] * n, pa.string()),
        },
        schema=I3D.schema(dim=spec.embed_dim),
    )


def extract_i3d_session(
    *,
    session: str,
    clips: str | os.PathLike,
    output: str | os.PathLike,
    model: str = "inception_i3d",
    weights: str = RANDOM,
    sha256: str | None = None,
    window: int = 64,
    stride: int = 64,
    max_windows_per_clip: int = 0,
    batch_size: int = 8,
    device: str = "auto",
    precision: str = "auto",
    channels_last: bool = True,
    threads: int = 1,
    decode_workers: int = 0,
    seed: int = 0,
) -> pa.Table:
    """Embed every clip of ``session`` and write ``output`` (sorted by clip_id, deterministic on CPU)."""
    spec = get_model_spec(model)
    _check_window(spec, window, stride, batch_size)
    weights_path, weights_sha = resolve_model_weights(spec, weights, sha256)
    rows = read_clips(clips, session=session)
    clip_ids, paths = [c.clip_id for c in rows], [str(p) for p in clip_videos(clips, rows, session=session)]
    dev = pick_device(device, config_key="i3d.device")
    dtype = pick_precision(dev, precision, config_key="i3d.precision")
    log_device(log, "i3d", dev, dtype)
    threads = max(1, int(threads))
    workers = int(decode_workers) or threads
    log.info("i3d session %s: %d clips, model %s, batch %d, window %d stride %d, %d decode workers",
             session, len(paths), spec.name, batch_size, window, stride, workers)
    with _torch_threads(dev, threads):
        emb, n_windows = _embed(session, clips, paths, spec, weights_path, dev=dev, dtype=dtype, window=window,
                                stride=stride, max_windows_per_clip=max_windows_per_clip, batch_size=batch_size,
                                channels_last=channels_last, workers=workers, seed=seed)
    if not np.isfinite(emb).all():
        raise SessionError(session, clips, f"{spec.name} produced non-finite embeddings (precision {precision})")
    table = _table(clip_ids, emb, n_windows, spec, weights_sha)
    meta = {
        "session": session,
        "model": spec.name,
        "embed_dim": spec.embed_dim,
        "weights": RANDOM_TAG if weights_path is None else Path(weights_path).name,
        "weights_sha256": weights_sha,
        "params": {
            "window": window,
            "stride": stride,
            "frame_step": spec.frame_step,
            "max_windows_per_clip": max_windows_per_clip,
            "short_side": SHORT_SIDE,
            "crop": CROP,
            "mean": list(spec.mean),
            "std": list(spec.std),
            "device": dev.type,
            "precision": str(dtype).replace("torch.", ""),
            "seed": seed if weights_path is None else None,
        },
        "source_sha256": read_meta(clips).get("source_sha256"),
    }
    I3D.write(output, table, meta=meta, dim=spec.embed_dim)
    log.info("wrote %s: %d clips, %d windows, weights %s", output, len(clip_ids), int(sum(n_windows)), weights_sha)
    return table
