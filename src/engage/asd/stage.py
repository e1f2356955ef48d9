"""ASD stage for one session: per-frame speaking scores (``features/asd.parquet``). Who said what is the
speakers stage (engage.speakers), on these scores. See docs/asd.md for every definition."""

from __future__ import annotations

import logging
import os
from typing import Sequence

import numpy as np
import pyarrow as pa
import torch

from engage import TIMELINE_FPS
from engage.asd.audio import read_wav_int16, session_mfcc
from engage.asd.crops import iter_face_pieces
from engage.asd.decision import decide_speaking
from engage.asd.faces import face_segments
from engage.asd.models import create_model
from engage.asd.scoring import DEMO_DURATIONS, Scorer, smooth_scores
from engage.asd.vad import vad_version, voice_activity
from engage.contract import ASD, TRACKS, read_media
from engage.torchutil import log_device, pick_device
from engage.weights import RANDOM, RANDOM_TAG, resolve_weights

log = logging.getLogger(__name__)

TRACK_COLUMNS = ["person", "frame", "has_face", "face_x", "face_y", "face_w", "face_h"]


def load_asd_model(model: str, weights: str, sha256: str | None):
    """Build ``model`` and load its checkpoint strictly; returns (model, weights sha256 or 'random-init')."""
    net = create_model(model)
    if str(weights).strip().lower() == RANDOM:
        log.warning("ASD model %s runs with RANDOM-INITIALISED weights (asd.weights: random): scores are meaningless", model)
        return net, RANDOM_TAG
    path, digest = resolve_weights(
        weights, sha256 or None, what=f"ASD weights for {model}", config_key="asd.weights",
        how_to_get="See models/README.md for the files and their origin.")
    net.load_checkpoint(path)
    log.info("loaded %s weights %s (sha256 %s)", model, path, digest)
    return net, digest


def read_tracks(path: str | os.PathLike, session: str) -> pa.Table:
    table = TRACKS.read(path, session=session, columns=TRACK_COLUMNS)
    return table.sort_by([("person", "ascending"), ("frame", "ascending")])


def _segments(tracks: pa.Table, min_frames: int):
    persons = tracks.column("person").to_numpy(zero_copy_only=False)
    frames = tracks.column("frame").to_numpy(zero_copy_only=False).astype(np.int64)
    has = tracks.column("has_face").fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    box = np.stack([tracks.column(c).to_numpy(zero_copy_only=False).astype(np.float64) for c in ("face_x", "face_y", "face_w", "face_h")], axis=1)
    ok = has & np.isfinite(box).all(axis=1) & (box[:, 2] > 0) & (box[:, 3] > 0)
    segs, dropped = [], 0
    for person in sorted(set(persons.tolist())):
        sel = (persons == person) & ok
        for seg in face_segments(person, frames[sel], box[sel]):
            if len(seg.boxes) >= min_frames:
                segs.append(seg)
            else:
                dropped += len(seg.boxes)
    if dropped:
        log.info("%d face frames in segments shorter than %d frames left unscored", dropped, min_frames)
    return segs, persons, frames


def _score_segments(scores: dict[str, np.ndarray], segments, *, video, audio, net, dev, session: str, n_frames: int,
                    vad: str, crop_scale: float, durations, shared_encoders: bool, smooth_frames: int,
                    batch_frames: int, max_piece_seconds: int) -> np.ndarray:
    """Fill ``scores`` (person -> per-frame logits, NaN where unscored) in place; return the voiced frames."""
    length = len(next(iter(scores.values())))
    samples = read_wav_int16(audio, session)
    voiced = voice_activity(samples, length, vad)
    mfcc = session_mfcc(samples, length)
    scorer = Scorer(net, device=dev, durations=durations, shared_encoders=shared_encoders, batch_frames=batch_frames)
    log.info("scoring %d face segments (%d frames) of %d persons, %s encoders, durations %s",
             len(segments), sum(len(s.boxes) for s in segments), len(scores),
             "shared" if scorer.shared else "per-window", list(scorer.durations))
    max_piece = int(max_piece_seconds) * TIMELINE_FPS
    for pieces in iter_face_pieces(video, segments, crop_scale=crop_scale, max_piece_frames=max_piece,
                                   flush_frames=max(batch_frames, max_piece), n_frames=n_frames, session=session):
        for piece, raw in zip(pieces, scorer.score(pieces, mfcc)):
            scores[piece.person][piece.start : piece.start + piece.n] = raw
    for seg in segments:  # smoothing runs per segment (never across a gap without a face)
        s = scores[seg.person][seg.start : seg.stop]
        if np.isfinite(s).all():
            scores[seg.person][seg.start : seg.stop] = smooth_scores(s, int(smooth_frames))
    return voiced


def _frame_table(session: str, persons: np.ndarray, frames: np.ndarray, scores: dict[str, np.ndarray],
                 speaking: dict[str, np.ndarray]) -> pa.Table:
    """asd.parquet rows: one per tracks row."""
    score_col = np.array([scores[p][f] for p, f in zip(persons, frames)], np.float32)
    speak_col = np.array([speaking[p][f] for p, f in zip(persons, frames)], bool) if len(frames) else np.zeros(0, bool)
    valid = np.isfinite(score_col)
    return pa.table({
        "session": pa.array([session] * len(frames), pa.string()),
        "person": pa.array(persons.tolist(), pa.string()),
        "frame": pa.array(frames.astype(np.int32), pa.int32()),
        "time": pa.array(frames / float(TIMELINE_FPS), pa.float64()),
        "score": pa.array(score_col, pa.float32(), mask=~valid),
        "speaking": pa.array(speak_col & valid, pa.bool_()),
    }, schema=ASD.schema())


def run_asd_session(
    *,
    session: str,
    tracks: str | os.PathLike,
    video: str | os.PathLike,
    audio: str | os.PathLike,
    media_json: str | os.PathLike,
    out_scores: str | os.PathLike,
    model: str = "light_asd",
    weights: str = "models/light-asd/finetuning_TalkSet.model",
    sha256: str | None = None,
    threshold: float = 0.0,
    exclusive_margin: float | None = 2.0,
    vad: str = "silero",
    crop_scale: float = 0.40,
    durations: Sequence[int] = DEMO_DURATIONS,
    shared_encoders: bool = True,
    smooth_frames: int = 5,
    min_segment_frames: int = 10,
    device: str = "auto",
    batch_frames: int = 1500,
    max_piece_seconds: int = 60,
    threads: int = 1,
) -> dict:
    """Score every person's face frames; write asd.parquet."""
    if threads:
        torch.set_num_threads(max(1, int(threads)))
    dev = pick_device(device, config_key="asd.device")
    log_device(log, "asd", dev)
    net, digest = load_asd_model(model, weights, sha256)
    media = read_media(media_json, session=session)
    table = read_tracks(tracks, session)
    segments, persons, frames = _segments(table, max(1, int(min_segment_frames)))
    n_frames = media.n_frames
    length = max(n_frames, int(frames.max()) + 1 if frames.size else 0)
    scores: dict[str, np.ndarray] = {p: np.full(length, np.nan, np.float32) for p in sorted(set(persons.tolist()))}
    if not media.has_audio:
        log.warning("session '%s' has no audio: ASD scores are null (no cue is attributed by ASD)", session)
    voiced = np.zeros(length, bool)
    if media.has_audio and segments:
        voiced = _score_segments(scores, segments, video=video, audio=audio, net=net, dev=dev, session=session,
                                 n_frames=n_frames, vad=vad, crop_scale=crop_scale, durations=durations,
                                 shared_encoders=shared_encoders, smooth_frames=smooth_frames,
                                 batch_frames=batch_frames, max_piece_seconds=max_piece_seconds)
    decided = {p: v & voiced for p, v in decide_speaking(scores, threshold, exclusive_margin).items()}
    out = _frame_table(session, persons, frames, scores, decided)
    meta = {
        "model": model, "weights_sha256": digest, "device_type": dev.type,
        "params": {"threshold": threshold, "vad": vad, "exclusive_margin": exclusive_margin, "crop_scale": crop_scale, "durations": list(durations),
                   "shared_encoders": bool(shared_encoders), "smooth_frames": int(smooth_frames),
                   "min_segment_frames": int(min_segment_frames), "max_piece_seconds": int(max_piece_seconds)},
        "vad": vad_version() if vad == "silero" else "none",
        "source_sha256": media.source_sha256, "has_audio": media.has_audio,
    }
    ASD.write(out_scores, out, meta=meta)

    n_speaking = int(out.column("speaking").to_numpy(zero_copy_only=False).sum())
    log.info("wrote %s (%d rows, %d speaking)", out_scores, len(out), n_speaking)
    return {"rows": len(out), "speaking": n_speaking, "weights_sha256": digest}
