"""acoustics stage: Praat pitch/intensity of each person's attributed speech per clip → features/acoustics.parquet.

Work is organised per speaker, not per clip: each speaker's attributed speech (the union of their
cues) is read once from audio.wav and analysed twice (first pass 60-600 Hz to find the speaker's
range, second pass with that range), in pieces of at most ``max_piece_s`` seconds so memory does
not grow with the session length. Clip features are then slices of the speaker's frames.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict

import numpy as np
import pyarrow as pa

from engage.acoustics import features as feat
from engage.acoustics import praat
from engage.contract import ACOUSTICS, Clip, read_clip_speech, read_clips, read_speakers
from engage.errors import ConfigError
from engage.intervals import merge_intervals, per_window
from engage.logutil import progress
from engage.speech import cross_check, speaker_cues

log = logging.getLogger(__name__)

#: Audio read around each analysed stretch so that edge frames see a full analysis window.
PAD_S = 0.1

NULLABLE_WHEN_SILENT = [c for c in ACOUSTICS.names if c not in
                        ("clip_id", "session", "person", "identity", "window", "start", "end", "has_speech", "L",
                         "contour_step")]


def split_pieces(segments: list[tuple[float, float]], max_piece_s: float) -> list[tuple[float, float]]:
    out = []
    for a, b in segments:
        n = max(1, int(np.ceil((b - a) / max_piece_s)))
        edges = np.linspace(a, b, n + 1)
        out += [(float(edges[i]), float(edges[i + 1])) for i in range(n)]
    return out


def clip_segments(clips: list[Clip], segments: list[tuple[float, float]]) -> list[tuple[Clip, list[tuple[float, float]]]]:
    """Each clip with the parts of the (disjoint, sorted) speech ``segments`` inside its window, in one
    sorted pass (linear in clips + segments; a per-clip scan of all segments was clips x cues)."""
    seg = np.asarray(segments, np.float64).reshape(-1, 2)
    groups = per_window(np.array([c.start for c in clips]), np.array([c.end for c in clips]), seg[:, 0], seg[:, 1])
    return [(c, [(float(max(a, c.start)), float(min(b, c.end))) for a, b in seg[g]]) for c, g in zip(clips, groups)]


def _finite_mean(values: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    ok = np.isfinite(values)
    if not ok.any():
        return None
    if weights is None:
        return float(np.mean(values[ok]))
    w = weights[ok]
    return float(np.sum(values[ok] * w) / np.sum(w)) if np.sum(w) > 0 else None


class SpeakerFrames:
    """All second-pass frames of one speaker in time order plus per-clip voice-quality pieces."""

    def __init__(self):
        self.times: list[np.ndarray] = []
        self.f0: list[np.ndarray] = []
        self.db: list[np.ndarray] = []
        self.hnr_t: list[np.ndarray] = []
        self.hnr: list[np.ndarray] = []
        self.vq: dict[str, list[tuple[float, float, float]]] = defaultdict(list)  # clip_id -> (dur, jitter, shimmer)

    def finish(self) -> None:
        cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0)
        self.t_all, self.f0_all, self.db_all = cat(self.times), cat(self.f0), cat(self.db)
        self.hnr_t_all, self.hnr_all = cat(self.hnr_t), cat(self.hnr)


def analyse_speaker(wav: praat.WavReader, segments: list[tuple[float, float]], clips: list[Clip], *,
                    pitch_floor: float, pitch_ceiling: float, time_step: float, floor_factor: float,
                    ceiling_factor: float, voice_quality: bool, max_piece_s: float):
    """Two-pass analysis of one speaker's speech; returns (frames, floor, ceiling, range source)."""
    pieces = split_pieces(segments, max_piece_s)

    def sound_of(a: float, b: float):
        samples, t0 = wav.read(a - PAD_S, b + PAD_S)
        return praat.to_sound(samples, wav.rate, t0) if len(samples) else None

    first = []
    for a, b in pieces:
        snd = sound_of(a, b)
        if snd is None:
            continue
        t, f0, _ = praat.pitch_values(snd, pitch_floor, pitch_ceiling, time_step)
        first.append(f0[(t >= a) & (t < b)])
    floor, ceiling, source = feat.speaker_pitch_range(np.concatenate(first) if first else np.zeros(0), pitch_floor,
                                                      pitch_ceiling, floor_factor, ceiling_factor)
    frames = SpeakerFrames()
    for a, b in pieces:
        snd = sound_of(a, b)
        if snd is None:
            continue
        seg = praat.analyse_segment(snd, a, b, floor, ceiling, time_step, voice_quality=voice_quality)
        frames.times.append(seg.times)
        frames.f0.append(seg.f0)
        frames.db.append(seg.intensity)
        frames.hnr_t.append(seg.hnr_times)
        frames.hnr.append(seg.hnr)
        if seg.points is not None:
            for c in clips:
                lo, hi = max(a, c.start), min(b, c.end)
                if hi > lo:
                    jit, shim = praat.jitter_shimmer(seg, lo, hi)
                    frames.vq[c.clip_id].append((hi - lo, jit, shim))
    frames.finish()
    return frames, floor, ceiling, source


def silent_row(c: Clip, session: str, time_step: float) -> dict:
    row = {**c.window_keys(), "session": session, "has_speech": False, "L": 0.0, "contour_step": time_step}
    row.update({k: None for k in NULLABLE_WHEN_SILENT})
    return row


def speech_row(c: Clip, session: str, intervals: list[tuple[float, float]], frames: SpeakerFrames,
               ref: feat.SpeakerReference, floor: float, ceiling: float, source: str, time_step: float) -> dict:
    i0, i1 = np.searchsorted(frames.t_all, [c.start, c.end], side="left")
    t, f0, db = frames.t_all[i0:i1], frames.f0_all[i0:i1], frames.db_all[i0:i1]
    h0, h1 = np.searchsorted(frames.hnr_t_all, [c.start, c.end], side="left")
    voiced = f0[np.isfinite(f0)]
    vq = frames.vq.get(c.clip_id, [])
    w = np.array([d for d, _, _ in vq])
    row = {**c.window_keys(), "session": session, "has_speech": True}
    row.update(feat.x_aud(sum(b - a for a, b in intervals), db, f0, ref))
    row.update(
        n_frames=len(t), n_voiced=len(voiced),
        pitch_mean_hz=float(np.mean(voiced)) if len(voiced) else None,
        pitch_std_hz=float(np.std(voiced)) if len(voiced) else None,
        intensity_mean_db=float(np.mean(db)) if len(db) else None,
        jitter_local=_finite_mean(np.array([j for _, j, _ in vq]), w) if vq else None,
        shimmer_local=_finite_mean(np.array([s for _, _, s in vq]), w) if vq else None,
        hnr_db=_finite_mean(frames.hnr_all[h0:h1]),
        pitch_floor_hz=floor, pitch_ceiling_hz=ceiling, pitch_range_source=source,
        speaker_intensity_mean_db=ref.intensity_mean, speaker_intensity_std_db=ref.intensity_std,
        speaker_pitch_mean_hz=ref.pitch_mean, speaker_pitch_std_hz=ref.pitch_std,
        contour_step=time_step,
        contour_time=(t - c.start).astype(np.float32).tolist(),
        pitch_hz=[None if not np.isfinite(v) else v for v in f0.astype(np.float32).tolist()],
        intensity_db=db.astype(np.float32).tolist(),
    )
    return row


def acoustics_session(
    *,
    session: str,
    clips: str | os.PathLike,
    speakers: str | os.PathLike,
    clip_speech: str | os.PathLike,
    audio: str | os.PathLike,
    output: str | os.PathLike,
    pitch_floor: float = 60.0,
    pitch_ceiling: float = 600.0,
    floor_factor: float = feat.FLOOR_FACTOR,
    ceiling_factor: float = feat.CEILING_FACTOR,
    time_step: float = 0.01,
    voice_quality: bool = True,
    max_piece_s: float = 60.0,
) -> pa.Table:
    """Write one row per clip of clips.parquet: X_aud, voice quality and contours of that person's speech."""
    if not 0 < pitch_floor < pitch_ceiling:
        raise ConfigError(f"acoustics.pitch_floor ({pitch_floor}) must be above 0 and below pitch_ceiling ({pitch_ceiling})")
    params = dict(pitch_floor=pitch_floor, pitch_ceiling=pitch_ceiling, floor_factor=floor_factor,
                  ceiling_factor=ceiling_factor, time_step=time_step, voice_quality=voice_quality,
                  max_piece_s=max_piece_s)
    clip_rows = read_clips(clips, session=session)
    utts = read_speakers(speakers, session=session)
    asd_flags = read_clip_speech(clip_speech, session=session)
    wav = praat.WavReader(audio, session)
    by_speaker = speaker_cues(utts)
    clips_of: dict[str, list[Clip]] = defaultdict(list)
    for c in clip_rows:
        clips_of[c.person].append(c)
    rows, has_speech, speakers_meta = [], {}, {}
    try:
        persons = sorted(clips_of)
        for person in progress(persons, len(persons), "acoustics: persons", log):
            segments = merge_intervals((max(0.0, u.start), min(wav.duration, u.end))
                                       for u in by_speaker.get(person, []))
            spoken = clip_segments(clips_of[person], segments)
            speaking_clips = [c for c, iv in spoken if iv]
            if speaking_clips:
                frames, floor, ceiling, source = analyse_speaker(
                    wav, segments, speaking_clips, pitch_floor=pitch_floor, pitch_ceiling=pitch_ceiling,
                    time_step=time_step, floor_factor=floor_factor, ceiling_factor=ceiling_factor,
                    voice_quality=voice_quality, max_piece_s=max_piece_s)
                ref = feat.speaker_reference(frames.db_all, frames.f0_all)
                speakers_meta[person] = {"pitch_floor_hz": floor, "pitch_ceiling_hz": ceiling, "range": source,
                                         "speech_seconds": round(sum(b - a for a, b in segments), 3)}
                log.info("session '%s' %s: %.1f s speech, pitch range %.0f-%.0f Hz (%s), %d frames, %d voiced",
                         session, person, speakers_meta[person]["speech_seconds"], floor, ceiling, source,
                         ref.n_frames, ref.n_voiced)
            for c, iv in spoken:
                has_speech[(c.clip_id, c.person)] = bool(iv)
                rows.append(speech_row(c, session, iv, frames, ref, floor, ceiling, source, time_step) if iv
                            else silent_row(c, session, time_step))
    finally:
        wav.close()
    cross_check(clip_rows, has_speech, asd_flags, session)
    table = ACOUSTICS.from_rows(rows)
    n_speech = sum(has_speech.values())
    log.info("session '%s': %d clip rows, %d with speech", session, len(rows), n_speech)
    ACOUSTICS.write(output, table, meta={"params": params, "speakers": speakers_meta, "model": "praat",
                                         "praat": "parselmouth " + _parselmouth_version(), "weights_sha256": None})
    return table


def _parselmouth_version() -> str:
    import parselmouth

    return f"{parselmouth.__version__} (Praat {parselmouth.PRAAT_VERSION})"
