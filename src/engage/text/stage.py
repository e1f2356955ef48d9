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

from engage.contract import TEXT, Utterance, read_clip_speech, read_clips, read_utterances
from engage.errors import ConfigError
from engage.speech import cross_check, cues_of_clips, speaker_cues
from engage.text.embed import POOLINGS, embed_texts
from engage.text.model import ModelMissing, hub_offline, load_model

log = logging.getLogger(__name__)

ON_MISSING = ("error", "skip")


def clip_text(cues: list[Utterance]) -> str:
    """Non-empty cue texts (whitespace-normalised) joined by one space, in the given (time) order."""
    return " ".join(t for t in (" ".join(u.text.split()) for u in cues) if t)


def _text_rows(session: str, clips, utterances, clip_speech) -> tuple[list[dict], dict]:
    """One row per clip with the person's attributed text (not embedded yet), and has_speech per clip."""
    clip_rows = read_clips(clips, session=session)
    by_clip = cues_of_clips(clip_rows, speaker_cues(read_utterances(utterances, session=session)))
    rows, has_speech = [], {}
    for c in clip_rows:
        cues = by_clip[c.clip_id]
        has_speech[(c.clip_id, c.person)] = bool(cues)
        rows.append({**c.window_keys(), "session": session, "has_speech": bool(cues),
                     "utterances": [u.utterance for u in cues], "text": clip_text(cues) if cues else None,
                     "n_tokens": None, "n_chunks": None, "embedding": None})
    cross_check(clip_rows, has_speech, read_clip_speech(clip_speech, session=session), session)
    return rows, has_speech


def _embed_rows(lm, rows: list[dict], to_embed: list[int], *, model: str, pooling: str, batch_size: int) -> None:
    """Fill n_tokens, n_chunks and embedding of ``rows[to_embed]`` in place; non-finite vectors are an error."""
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


def text_session(
    *,
    session: str,
    clips: str | os.PathLike,
    utterances: str | os.PathLike,
    clip_speech: str | os.PathLike,
    output: str | os.PathLike,
    model: str = "bert-base-uncased",
    sha256: str | None = None,
    pooling: str = "cls",
    batch_size: int = 32,
    max_length: int = 512,
    device: str = "auto",
    allow_download: bool = False,
    on_missing_model: str = "error",
    threads: int = 1,
) -> pa.Table:
    """Write one row per clip of clips.parquet with the person's attributed text and its embedding.

    ``sha256`` (``text.sha256``): expected digest of the model's weights file (checked when given).
    """
    if pooling not in POOLINGS:
        raise ConfigError(f"text.pooling must be one of {POOLINGS}, got {pooling!r}")
    if on_missing_model not in ON_MISSING:
        raise ConfigError(f"text.on_missing_model must be one of {ON_MISSING}, got {on_missing_model!r}")
    params = dict(model=model, pooling=pooling, batch_size=batch_size, max_length=max_length, device=device,
                  allow_download=allow_download, on_missing_model=on_missing_model)
    rows, has_speech = _text_rows(session, clips, utterances, clip_speech)
    meta = {"params": params, "model": model, "model_missing": False, "hf_hub_offline": hub_offline()}
    dim = None
    to_embed = [i for i, r in enumerate(rows) if r["text"]]
    import torch

    torch.set_num_threads(max(1, int(threads)))
    try:
        lm = load_model(model, device=device, allow_download=allow_download, max_length=max_length,
                        sha256=sha256 or None)
    except ModelMissing as err:
        if on_missing_model == "error":
            raise
        log.warning("session '%s': TEXT EMBEDDINGS ARE NULL: %s (text.on_missing_model is 'skip')", session, err)
        meta.update(model_missing=True, model_revision=None, weights_sha256=None, embedding_dim=None)
    else:
        dim = lm.hidden_size
        meta.update(model_revision=lm.revision, weights_sha256=lm.weights_sha256, embedding_dim=dim,
                    device=str(lm.device), max_length=lm.max_length, torch=torch.__version__)
        log.info("session '%s': text model %s (revision %s, weights sha256 %s), %d texts to embed",
                 session, model, lm.revision, lm.weights_sha256, len(to_embed))
        _embed_rows(lm, rows, to_embed, model=model, pooling=pooling, batch_size=batch_size)
    table = TEXT.from_rows(rows, dim=dim)
    log.info("session '%s': %d clip rows, %d with speech, %d with text", session, len(rows),
             sum(has_speech.values()), len(to_embed))
    TEXT.write(output, table, meta=meta, dim=dim)
    return table
