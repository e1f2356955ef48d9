"""Embed texts with a loaded encoder: 512-token windows, batched, CLS or mean pooling.

A text longer than the model's window is cut into consecutive non-overlapping windows of
``max_length - special tokens`` word pieces; each window gets its own [CLS] ... [SEP], is embedded
like a short text, and the text's embedding is the plain mean of its window embeddings.
Windows of all texts are batched together, sorted by length so padding stays small; the order is
deterministic, so reruns on the same machine give identical numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from engage.logutil import progress
from engage.text.model import LoadedModel

log = logging.getLogger(__name__)

POOLINGS = ("cls", "mean")


@dataclass
class Embedded:
    vectors: list[np.ndarray | None]  # float32 [hidden] per text; None for an empty text
    n_tokens: list[int]  # word pieces of the text (without special tokens)
    n_chunks: list[int]


def special_tokens(tok) -> tuple[list[int], list[int]]:
    """(prefix, suffix) ids a single sequence gets: [CLS] ... [SEP] for BERT, <s> ... </s> for RoBERTa."""
    first = tok.cls_token_id if tok.cls_token_id is not None else tok.bos_token_id
    last = tok.sep_token_id if tok.sep_token_id is not None else tok.eos_token_id
    return ([first] if first is not None else []), ([last] if last is not None else [])


def chunk_ids(lm: LoadedModel, text: str) -> tuple[list[list[int]], int]:
    """Model inputs (with special tokens) of each window of ``text``, and the text's word-piece count."""
    tok = lm.tokenizer
    ids = tok(text, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
    if not ids:
        return [], 0
    prefix, suffix = special_tokens(tok)
    room = max(1, lm.max_length - len(prefix) - len(suffix))
    return [prefix + ids[i:i + room] + suffix for i in range(0, len(ids), room)], len(ids)


def _pool(hidden, mask, pooling: str):
    if pooling == "cls":
        return hidden[:, 0]
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


def embed_texts(lm: LoadedModel, texts: list[str], *, pooling: str = "cls", batch_size: int = 32) -> Embedded:
    """Embed each text (empty or whitespace-only → None)."""
    import torch

    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    chunks: list[tuple[int, list[int]]] = []  # (text index, input ids)
    n_tokens, n_chunks = [], []
    for i, t in enumerate(texts):
        cs, n = chunk_ids(lm, t) if t.strip() else ([], 0)
        chunks += [(i, c) for c in cs]
        n_tokens.append(n)
        n_chunks.append(len(cs))
    order = sorted(range(len(chunks)), key=lambda k: (len(chunks[k][1]), k))
    pad = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else 0
    sums = np.zeros((len(texts), lm.hidden_size), dtype=np.float64)
    batches = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    with torch.inference_mode():
        for batch in progress(batches, len(batches), "text: embedding batches", log):
            width = max(len(chunks[k][1]) for k in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for r, k in enumerate(batch):
                seq = chunks[k][1]
                ids[r, :len(seq)] = torch.tensor(seq, dtype=torch.long)
                mask[r, :len(seq)] = 1
            out = lm.model(input_ids=ids.to(lm.device), attention_mask=mask.to(lm.device))
            pooled = _pool(out.last_hidden_state, mask.to(lm.device), pooling).float().cpu().numpy()
            for r, k in enumerate(batch):
                sums[chunks[k][0]] += pooled[r]
    vectors = [(sums[i] / n_chunks[i]).astype(np.float32) if n_chunks[i] else None for i in range(len(texts))]
    return Embedded(vectors, n_tokens, n_chunks)
