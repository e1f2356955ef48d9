"""Probe + audio extraction for one session (``results/<s>/media.json``, ``audio.wav``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from engage import TIMELINE_FPS
from engage.errors import SessionError
from engage.contract import Media, write_media
from engage.io.atomic import atomic_path
from engage.io.hashing import sha256_file
from engage.media.decode import FrameReader, extract_audio, silent_audio
from engage.media.probe import check_not_truncated, probe_media
from engage.media.probe import decode_check as run_decode_check

log = logging.getLogger(__name__)


def ingest_session(
    *,
    session: str,
    video: str | os.PathLike,
    media_json: str | os.PathLike,
    audio_wav: str | os.PathLike,
    audio_rate: int = 16000,
    require_audio: bool = False,
    decode_check: bool = True,
    max_decode_errors: int = 10,
    min_source_fps: float = 10.0,
    threads: int = 1,
) -> dict:
    """Probe ``video``, check it decodes, write media.json and audio.wav (silence if no audio).

    A session without audio is usable for video features; ``media.json`` says ``has_audio: false``
    and audio stages report null/low scores instead of failing (set ``require_audio`` to fail).
    With ``decode_check`` the whole video stream is decoded once: more than ``max_decode_errors``
    decode errors, or fewer than ``min_source_fps`` source frames per second, give a warning (log,
    stderr, ``media.json`` ``warnings`` and the report); the session still runs.
    """
    info = probe_media(video, session)
    log.info("probed %s: %sx%s %.2fs avg %.3f fps (r %.3f) vfr=%s audio=%s", video, info["width"], info["height"],
             info["duration"], info["avg_frame_rate"] or 0, info["r_frame_rate"] or 0, info["vfr"], info["has_audio"])
    if info["vfr"]:
        log.warning("session '%s': variable frame rate (avg %.3f vs r %.3f fps): resampled to a %d fps CFR timeline",
                    session, info["avg_frame_rate"], info["r_frame_rate"], TIMELINE_FPS)
    # Decode the first frames: catches files whose header is fine but whose packets are not.
    first = next(iter(FrameReader(video, scale=(64, 36), duration=min(1.0, info["duration"]), session=session)), None)
    if first is None:
        raise SessionError(session, video, "video stream has no decodable frames (corrupt or truncated file)")
    check_not_truncated(video, info["duration"], session)
    n_frames = int(round(info["duration"] * TIMELINE_FPS))
    if n_frames < 1:
        raise SessionError(session, video, f"video too short ({info['duration']:.3f} s)")
    info.update(quality_fields(video, session, info, decode_check=decode_check, max_decode_errors=max_decode_errors,
                               min_source_fps=min_source_fps, threads=threads))
    info.update(
        session=session,
        source=Path(video).name,
        source_sha256=sha256_file(video),
        timeline_fps=TIMELINE_FPS,
        n_frames=n_frames,
        audio_rate=audio_rate,
    )
    media = Media(**info)  # the media.json contract: an unknown or missing field fails here, before the audio
    if info["has_audio"]:
        with atomic_path(audio_wav) as tmp:
            extract_audio(video, tmp, rate=audio_rate, session=session)
    else:
        if require_audio:
            raise SessionError(session, video, "no audio stream (ingest.require_audio is true)")
        log.warning("session '%s' (%s): no audio stream; writing silence, speech features will be empty", session, video)
        with atomic_path(audio_wav) as tmp:
            silent_audio(tmp, info["duration"], rate=audio_rate)
    write_media(media_json, media)
    return media.to_json()


def quality_fields(video, session: str, info: dict, *, decode_check: bool, max_decode_errors: int,
                   min_source_fps: float, threads: int) -> dict:
    """media.json's decode_errors, decode_error_example, frames_decoded, source_fps and warnings.

    Why warnings and not errors: a damaged or low-frame-rate recording still gives usable audio,
    transcript and partly usable video features; the user must know, and decides.
    """
    out: dict = {"warnings": []}
    rate = info.get("avg_frame_rate")
    if decode_check:
        dc = run_decode_check(video, session, threads)
        out.update(decode_errors=dc.errors, decode_error_example=dc.example, frames_decoded=dc.frames)
        log.info("decode check: %d frames, %d decode errors%s", dc.frames, dc.errors,
                 f" (first: {dc.example})" if dc.example else "")
        if dc.errors > max_decode_errors:
            out["warnings"].append(
                f"{dc.errors} decode errors in the video stream (e.g. {dc.example!r}; more than "
                f"ingest.max_decode_errors = {max_decode_errors}): damaged pictures are concealed or repeated, so "
                "faces and video features there may be missing or wrong")
        if dc.frames and info["duration"] > 0:
            rate = dc.frames / info["duration"]
    out["source_fps"] = round(float(rate), 3) if rate else None
    if rate and rate < min_source_fps:
        out["warnings"].append(
            f"the video has {rate:.1f} frames per second (below ingest.min_source_fps = {min_source_fps:g}): on the "
            f"{TIMELINE_FPS} fps timeline every picture repeats about {TIMELINE_FPS / rate:.0f} times, so motion "
            "features (I3D, active speaker, face dynamics) are unreliable")
    for w in out["warnings"]:
        log.warning("session '%s' (%s): %s", session, video, w)
    return out
