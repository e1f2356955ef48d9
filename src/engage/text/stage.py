"""text stage: each person's attributed transcript text per clip and its encoder embedding → features/text.parquet.

Text of a clip and person = the texts of the cues attributed to that person (utterances.parquet
``speaker``) that overlap the clip window by more than zero seconds, in time order, joined by one
space. Transcripts have no word times, so a cue that straddles a window boundary contributes its
whole text to every window it overlaps (see docs/features/text.md).
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pyarrow as pa

from engage.acoustics import attribution as attr
from engage.errors import ConfigError
from engage.io.parquet import write_table
from engage.text.embed import POOLINGS, embed_texts
from engage.text.model import ModelMissing, hub_offline, load_model

log = logging.getLogger(__name__)

ON_MISSING = ("error", "skip")


def schema(dim: int | None) -> pa.Schema:
    emb = pa.list_(pa.float32(), dim) if dim else pa.list_(pa.float32())
    return pa.schema([
        ("clip_id", pa.string()), ("session", pa.string()), ("person", pa.string()), ("window", pa.int32()),
        ("start", pa.float64()), ("end", pa.float64()), ("has_speech", pa.bool_()),
        ("utterances", pa.list_(pa.int32())), ("text", pa.string()),
        ("n_tokens", pa.int32()), ("n_chunks", pa.int32()), ("embedding", emb),
    ])


def clip_text(cues: list[attr.Utterance]) -> str:
    """Non-empty cue texts (whitespace-normalised) joined by one space, in the given (time) order."""
    return " ".join(t for t in (" ".join(u.text.split()) for u in cues) if t)


def text_session(
    *,
    session: str,
    clips: str | os.PathLike,
    utterances: str | os.PathLike,
    clip_speech: str | os.PathLike,
    output: str | os.PathLike,
    model: str = "bert-base-uncased",
    pooling: str = "cls",
    batch_size: int = 32,
    max_length: int = 512,
    device: str = "auto",
    allow_download: bool = False,
    on_missing_model: str = "error",
    threads: int = 1,
) -> pa.Table:
    """Write one row per clip of clips.parquet with the person's attributed text and its embedding."""
    if pooling not in POOLINGS:
        raise ConfigError(f"text.pooling must be one of {POOLINGS}, got {pooling!r}")
    if on_missing_model not in ON_MISSING:
        raise ConfigError(f"text.on_missing_model must be one of {ON_MISSING}, got {on_missing_model!r}")
    params = dict(model=model, pooling=pooling, batch_size=batch_size, max_length=max_length, device=device,
                  allow_download=allow_download, on_missing_model=on_missing_model)
    clip_rows = attr.read_clips(clips, session)
    by_speaker = attr.speaker_cues(attr.read_utterances(utterances, session))
    asd_flags = attr.read_clip_speech(clip_speech, session)

    rows, has_speech = [], {}
    for c in clip_rows:
        cues = attr.clip_cues(c, by_speaker.get(c.person, []))
        has_speech[(c.clip_id, c.person)] = bool(cues)
        rows.append({"clip_id": c.clip_id, "session": session, "person": c.person, "window": c.window,
                     "start": c.start, "end": c.end, "has_speech": bool(cues),
                     "utterances": [u.utterance for u in cues], "text": clip_text(cues) if cues else None,
                     "n_tokens": None, "n_chunks": None, "embedding": None})
    attr.cross_check(clip_rows, has_speech, asd_flags, session)

    meta = {"params": params, "model": model, "model_missing": False, "hf_hub_offline": hub_offline()}
    dim = None
    to_embed = [i for i, r in enumerate(rows) if r["text"]]
    try:
        import torch

        torch.set_num_threads(max(1, int(threads)))
        lm = load_model(model, device=device, allow_download=allow_download, max_length=max_length)
    except ModelMissing as err:
        if on_missing_model == "error":
            raise
        log.warning("session '%s': TEXT EMBEDDINGS ARE NULL: %s (text.on_missing_model is 'skip')", session, err)
        meta.update(model_missing=True, model_revision=None, weights_sha256=None, embedding_dim=None)
    else:
        dim = lm.hidden_size
        meta.update(model_revision=lm.revision, weights_sha256=lm.weights_sha256, embedding_dim=dim,
                    device=lm.device, max_length=lm.max_length, torch=torch.__version__)
        log.info("session '%s': text model %s (revision %s, weights sha256 %s) on %s, %d texts to embed",
                 session, model, lm.revision, lm.weights_sha256, lm.device, len(to_embed))
        emb = embed_texts(lm, [rows[i]["text"] for i in to_embed], pooling=pooling, batch_size=batch_size)
        for j, i in enumerate(to_embed):
            rows[i].update(n_tokens=emb.n_tokens[j], n_chunks=emb.n_chunks[j],
                           embedding=None if emb.vectors[j] is None else emb.vectors[j].tolist())
            if emb.n_chunks[j] > 1:
                log.info("clip %s person %s: %d word pieces in %d windows (embeddings averaged)",
                         rows[i]["clip_id"], rows[i]["person"], emb.n_tokens[j], emb.n_chunks[j])
        bad = [rows[i]["clip_id"] for i in to_embed if rows[i]["embedding"] is not None
               and not np.all(np.isfinite(rows[i]["embedding"]))]
        if bad:
            raise ConfigError(f"text model {model} produced non-finite embeddings for {len(bad)} clip(s), e.g. {bad[0]}")
    table = pa.Table.from_pylist(rows, schema=schema(dim)) if rows else schema(dim).empty_table()
    log.info("session '%s': %d clip rows, %d with speech, %d with text", session, len(rows),
             sum(has_speech.values()), len(to_embed))
    write_table(output, table, stage="text", sort_by=["clip_id", "person"], meta=meta)
    return table
