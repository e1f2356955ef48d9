"""Stage functions called by workflow/scripts/{train,eval,predict}.py (dataset: dataset.py, tables: tables.py,
CMOSE import: cmose_import.py). Settings arrive as arguments; nothing here reads the config."""

from __future__ import annotations

import csv
import io
import logging
import math

import numpy as np
import pyarrow as pa
import torch

from engage.contract import I3D, PREDICTIONS, TEXT
from engage.errors import ConfigError, SessionError
from engage.io.atomic import write_json, write_text
from engage.io.hashing import sha256_file
from engage.model.checkpoint import load_model, save_model
from engage.model.dataset import load_dataset
from engage.model.features import session_clip_features
from engage.model.labels import LEVELS
from engage.model.metrics import summarize
from engage.model.training import TRAIN_DEFAULTS, predict, train_model
from engage.torchutil import log_device, pick_device
from engage.weights import resolve_weights

log = logging.getLogger(__name__)

LOG_FIELDS = ["phase", "epoch", "loss", "loss_extra", "lr", "val_accuracy", "val_average_accuracy"]


def _fmt(v) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return str(v)


def train_run(*, dataset: str, run_name: str, run: dict, train: dict, model_out: str, log_out: str, threads: int = 1) -> None:
    """Train one configured run and write model.pt and train_log.csv."""
    torch.set_num_threads(max(1, int(threads)))
    arrays, meta = load_dataset(dataset)
    unknown = sorted(set(train) - set(TRAIN_DEFAULTS))
    if unknown:
        raise ConfigError(f"run {run_name}: unknown train settings {unknown} (valid: {sorted(TRAIN_DEFAULTS)})")
    settings = {**TRAIN_DEFAULTS, **{k: v for k, v in train.items() if v is not None}}
    log.info("run %s: %s; train settings %s", run_name, run, settings)
    log.info("dataset %s: %d rows, split counts %s", dataset, len(arrays["labels"]), meta.get("split_counts"))

    def progress(done, total, row):
        if done == 1 or done == total or done % max(1, total // 20) == 0:
            log.info("epoch %d/%d (%s): loss %.4f extra %.4f lr %.2e val acc %s", done, total, row["phase"], row["loss"],
                     row["loss_extra"], row["lr"], _fmt(row["val_accuracy"]))

    try:
        model, rows = train_model(arrays, meta, run, settings, progress=progress)
    except ValueError as err:
        raise SessionError(None, dataset, str(err)) from None
    info = {"run_name": run_name, "run": run, "train": settings, "dataset": str(dataset),
            "dataset_name": meta.get("name"), "min_frames": meta.get("min_frames"), "n_chunks": meta.get("n_chunks"),
            "split_counts": meta.get("split_counts"), "weights": "trained (random-init before training)"}
    used = sorted({(r["phase"], r["momentum"]) for r in rows if not math.isnan(r.get("momentum", math.nan))})
    if used:  # MocoRank: the key-encoder momentum each phase really used (after momentum_reference_steps)
        info["mocorank_momentum"] = {phase: m for phase, m in used}
    save_model(model_out, model, info)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LOG_FIELDS)
    for r in rows:
        w.writerow([_fmt(r[k]) for k in LOG_FIELDS])
    write_text(log_out, buf.getvalue())


def eval_run(*, dataset: str, model_path: str, run_name: str, metrics_out: str, confusion_out: str, split: str = "test") -> dict:
    """Acc, AvgAcc, per-class recall and confusion on ``split`` (also train/val; speech subset for audio runs)."""
    arrays, meta = load_dataset(dataset)
    model, info = load_model(model_path)
    log_device(log, "eval", next(model.parameters()).device)
    splits = np.asarray(arrays["split"])
    labels = arrays["labels"]
    result = {"run": run_name, "eval_split": split, "model": info.get("run", {}), "dataset": meta.get("name"),
              "model_sha256": sha256_file(model_path)}
    for sp in ("train", "val", "test"):
        idx = np.flatnonzero((splits == sp) & (labels >= 0))
        if len(idx) == 0:
            result[sp] = None
            continue
        _, pred = predict(model, arrays, idx)
        result[sp] = summarize(labels[idx], pred)
        if model.cfg.audio:
            sp_idx = idx[arrays["has_speech"][idx]]
            if len(sp_idx):
                _, p_a = predict(model, arrays, sp_idx)
                _, p_v = predict(model, arrays, sp_idx, use_audio=False)
                result[f"{sp}_speech"] = summarize(labels[sp_idx], p_a)
                result[f"{sp}_speech_visual_only"] = summarize(labels[sp_idx], p_v)
    main = result.get(split)
    if main is None:
        log.warning("run %s: the dataset has no labelled '%s' rows; metrics are empty", run_name, split)
        main = summarize([], [])
    result.update({k: main[k] for k in ("n", "accuracy", "average_accuracy", "recall", "support", "confusion")})
    write_json(metrics_out, result)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["true\\predicted", *LEVELS])
    for lv, row in zip(LEVELS, main["confusion"]):
        w.writerow([lv, *row])
    write_text(confusion_out, buf.getvalue())
    log.info("run %s on %s: acc %s avg acc %s", run_name, split, main["accuracy"], main["average_accuracy"])
    return result


def _predict_inputs(feat: dict, cfg, session: str, session_dir: str) -> dict:
    """The model's input arrays for every clip; embedding sizes must match what the model was trained on."""
    n = len(feat["clip_id"])
    if feat["i3d"].shape[1] != cfg.i3d_dim and n:
        raise SessionError(session, I3D.file_in(session_dir),
                           f"I3D embedding has {feat['i3d'].shape[1]} values, the model expects {cfg.i3d_dim}")
    text = feat["text"]
    if cfg.audio and text.shape[1] != cfg.text_dim:
        if text.shape[1] and n:
            raise SessionError(session, TEXT.file_in(session_dir),
                               f"text embedding has {text.shape[1]} values, the model expects {cfg.text_dim}")
        text = np.zeros((n, cfg.text_dim), np.float32)
    return {"face": feat["face"], "i3d": feat["i3d"], "aud": feat["aud"],
            "text": text if cfg.audio else np.zeros((n, cfg.text_dim), np.float32),
            "has_speech": feat["has_speech"], "labels": np.full(n, -1, np.int64)}


def predict_session(*, session: str, session_dir: str, model_path: str, out_parquet: str, out_png: str, device: str = "auto",
                    batch_size: int = 256, threads: int = 1, model_sha256: str = "") -> None:
    """Score every clip of one session with a trained model (sha256 checked when given)."""
    torch.set_num_threads(max(1, int(threads)))
    dev = pick_device(device, config_key="predict.device")
    path, digest = resolve_weights(model_path, model_sha256 or None, what="engagement model", config_key="predict.model")
    model, info = load_model(path)
    cfg = model.cfg
    feat = session_clip_features(session_dir, session, cfg.face_columns, cfg.n_chunks, int(info.get("min_frames") or 250))
    arrays = _predict_inputs(feat, cfg, session, session_dir)
    log_device(log, "predict", dev)
    model.to(dev)
    scores, levels = predict(model, arrays, batch_size=batch_size, device=dev)
    table = pa.table({
        "clip_id": pa.array(feat["clip_id"], pa.string()),
        "person": pa.array(feat["person"], pa.string()),
        "identity": pa.array(feat["identity"], pa.string()),
        "start": pa.array(feat["start"], pa.float64()),
        "end": pa.array(feat["end"], pa.float64()),
        "score": pa.array(scores, pa.float32()),
        "level": pa.array([LEVELS[i] for i in levels], pa.string()),
        "has_speech": pa.array(feat["has_speech"], pa.bool_()),
    })
    meta = {"model": "engage.model.EngagementNet", "run": info.get("run_name"), "run_config": info.get("run"),
            "weights_sha256": digest, "face_columns": cfg.face_columns, "n_chunks": cfg.n_chunks}
    PREDICTIONS.write(out_parquet, table, meta=meta)
    persons: dict[str, list] = {}
    for p, a, b, s in zip(feat["person"], feat["start"], feat["end"], scores):
        persons.setdefault(p, []).append((float(a), float(b), float(s)))
    from engage.model import plots

    plots.timeline(out_png, session, persons)
    log.info("session %s: %d clips scored with run %s", session, len(feat["clip_id"]), info.get("run_name"))
