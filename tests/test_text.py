"""text stage: attributed text per clip, tiny offline BERT through the real loading path, edge cases."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from contract_fixtures import write_tables

from engage.errors import ConfigError
from engage.io.parquet import read_meta
from engage.text import text_session
from engage.text.embed import embed_texts
from engage.text.model import ModelMissing, load_model

WORDS = ["hello", "world", "the", "speech", "class", "question", "."]


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> Path:
    """A 2-layer, hidden-32 BERT with a small WordPiece vocab, saved like any Hugging Face model folder."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    root = tmp_path_factory.mktemp("tiny_bert")
    letters = list("abcdefghijklmnopqrstuvwxyz") + ["é", "ü", "日", "本"]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS + letters + ["##" + c for c in letters]
    (root / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tok = BertTokenizer(vocab=str(root / "vocab.txt"), do_lower_case=True, strip_accents=False)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=512)
    torch.manual_seed(0)
    model_dir = root / "model"
    BertModel(cfg).save_pretrained(model_dir)
    tok.save_pretrained(model_dir)
    return model_dir


LONG = " ".join(["hello world"] * 400)  # 800 word pieces > 510: two windows
CUES = [
    (0.0, 3.0, "Hello world.", "p00"),
    (2.0, 5.0, "the question", "p01"),
    (4.0, 7.0, "straddles the class", "p00"),  # overlaps windows 0 and 1
    (8.0, 9.0, "", "p01"),  # empty cue text
    (9.0, 9.5, "héllo wörld 日本 ça", "p01"),  # non-ASCII (ö and ç are not in the vocab: [UNK])
    (11.0, 14.0, LONG, "p00"),
    (12.0, 13.0, "unattributed words", None),
]
WINDOWS = [(0, 5), (5, 10), (10, 15)]


def run(tmp: Path, model: str, **kw):
    paths = write_tables(tmp, "s1", WINDOWS, ["p00", "p01", "p02"], CUES)
    out = tmp / "features" / "text.parquet"
    text_session(session="s1", output=out, model=model, **paths, **kw)
    return {r["clip_id"]: r for r in pq.read_table(out).to_pylist()}, out


def test_text_rows_and_embeddings(tmp_path, tiny_bert):
    r, out = run(tmp_path, str(tiny_bert))
    # window 0: p00 has cue 1 and the straddling cue 3 (whole text, time order); p01 cue 2
    assert r["s1_0000_p00"]["text"] == "Hello world. straddles the class"
    assert r["s1_0000_p00"]["utterances"] == [1, 3]
    assert r["s1_0001_p00"]["text"] == "straddles the class"
    assert r["s1_0000_p01"]["text"] == "the question"
    # p02 never speaks; unattributed cue 7 goes to nobody
    for w in range(3):
        row = r[f"s1_{w:04d}_p02"]
        assert row["has_speech"] is False and row["text"] is None and row["embedding"] is None
    # window 1 for p01: an empty cue and a non-ASCII cue -> the non-empty text only, embedded
    row = r["s1_0001_p01"]
    assert row["has_speech"] and row["utterances"] == [4, 5] and row["text"] == "héllo wörld 日本 ça"
    assert row["embedding"] is not None and len(row["embedding"]) == 32 and np.all(np.isfinite(row["embedding"]))
    # long utterance: chunked into two windows and averaged
    long_row = r["s1_0002_p00"]
    assert long_row["n_tokens"] == 800 and long_row["n_chunks"] == 2
    meta = read_meta(out)
    assert meta["model"] == str(tiny_bert) and meta["model_missing"] is False and meta["embedding_dim"] == 32
    assert meta["weights_sha256"] == hashlib.sha256((tiny_bert / "model.safetensors").read_bytes()).hexdigest()
    assert meta["model_revision"] is None and meta["device"] == "cpu"
    assert pq.read_schema(out).field("embedding").type.list_size == 32


def test_text_sha256_is_checked_like_other_weights(tmp_path, tiny_bert, caplog):
    digest = hashlib.sha256((tiny_bert / "model.safetensors").read_bytes()).hexdigest()
    with caplog.at_level(logging.INFO, logger="engage.text"):
        _, out = run(tmp_path / "ok", str(tiny_bert), sha256=digest.upper())
    assert read_meta(out)["weights_sha256"] == digest
    assert "text: device cpu, precision fp32" in caplog.text
    with pytest.raises(ConfigError, match=f"model.safetensors.*has sha256 {digest}, expected 00.*text.sha256"):
        run(tmp_path / "bad", str(tiny_bert), sha256="00" * 32)
    with pytest.raises(ConfigError, match="wrong or corrupt"):  # never masked by on_missing_model: skip
        run(tmp_path / "bad2", str(tiny_bert), sha256="00" * 32, on_missing_model="skip")


def test_explicit_unavailable_device_is_a_config_error(tmp_path, tiny_bert):
    with pytest.raises(ConfigError, match="text.device is 'cuda:99' but"):  # no machine has 100 GPUs
        run(tmp_path, str(tiny_bert), device="cuda:99")


def test_empty_cue_text_gives_speech_without_embedding(tmp_path, tiny_bert):
    paths = write_tables(tmp_path, "s1", [(0, 5)], ["p00"], [(1.0, 2.0, "", "p00"), (2.0, 3.0, "   ", "p00")])
    out = tmp_path / "t.parquet"
    text_session(session="s1", output=out, model=str(tiny_bert), **paths)
    (row,) = pq.read_table(out).to_pylist()
    assert row["has_speech"] is True and row["text"] == "" and row["embedding"] is None and row["utterances"] == [1, 2]


def test_long_text_is_mean_of_window_embeddings(tiny_bert):
    lm = load_model(str(tiny_bert), device="cpu")
    whole = embed_texts(lm, [LONG], pooling="mean").vectors[0]
    ids = lm.tokenizer(LONG, add_special_tokens=False)["input_ids"]
    parts = [lm.tokenizer.decode(ids[:510]), lm.tokenizer.decode(ids[510:])]
    each = embed_texts(lm, parts, pooling="mean").vectors
    np.testing.assert_allclose(whole, (each[0] + each[1]) / 2, rtol=1e-5, atol=1e-6)


def test_batching_and_pooling(tiny_bert):
    lm = load_model(str(tiny_bert), device="cpu")
    texts = ["hello", "the speech class question .", "world", "", "hello world the speech"]
    a = embed_texts(lm, texts, batch_size=1)
    b = embed_texts(lm, texts, batch_size=16)
    assert a.vectors[3] is None and b.vectors[3] is None
    for x, y in zip(a.vectors, b.vectors):
        if x is not None:
            np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5)
    m = embed_texts(lm, texts, pooling="mean")
    assert not np.allclose(m.vectors[0], a.vectors[0])
    with pytest.raises(ValueError):
        embed_texts(lm, texts, pooling="max")


def test_rerun_is_byte_identical(tmp_path, tiny_bert):
    _, a = run(tmp_path / "a", str(tiny_bert))
    _, b = run(tmp_path / "b", str(tiny_bert))
    assert a.read_bytes() == b.read_bytes()


def test_missing_model_error_says_how_to_provide(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelMissing) as err:
        run(tmp_path, "engage-test/no-such-model-xyz")
    msg = str(err.value)
    assert "allow_download" in msg and "text.model" in msg and "no-such-model-xyz" in msg
    assert isinstance(err.value, ConfigError)
    with pytest.raises(ModelMissing, match="does not exist"):
        run(tmp_path, str(tmp_path / "nowhere" / "model"))


def test_missing_model_skip_writes_null_embeddings_loudly(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with caplog.at_level(logging.WARNING):
        r, out = run(tmp_path, "engage-test/no-such-model-xyz", on_missing_model="skip")
    assert "TEXT EMBEDDINGS ARE NULL" in caplog.text
    assert r["s1_0000_p00"]["text"] == "Hello world. straddles the class"
    assert all(row["embedding"] is None for row in r.values())
    meta = read_meta(out)
    assert meta["model_missing"] is True and meta["weights_sha256"] is None


def test_hub_id_from_local_cache_records_commit(tmp_path, tiny_bert, monkeypatch):
    """A hub id is read from the local Hugging Face cache (offline); the snapshot commit is recorded."""
    import huggingface_hub.constants as hfc

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--engage-test--tiny-bert"
    snap = repo / "snapshots" / commit
    snap.mkdir(parents=True)
    for f in tiny_bert.iterdir():
        (snap / f.name).write_bytes(f.read_bytes())
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hfc, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(hfc, "HF_HUB_OFFLINE", True)
    try:
        lm = load_model("engage-test/tiny-bert", device="cpu")
    except ModelMissing as err:  # transformers captured the cache path at import time
        pytest.skip(f"cannot redirect the HF cache in-process: {err}")
    assert lm.revision == commit
    assert lm.weights_sha256 == hashlib.sha256((tiny_bert / "model.safetensors").read_bytes()).hexdigest()


def test_bad_options(tmp_path, tiny_bert):
    with pytest.raises(ConfigError, match="pooling"):
        run(tmp_path, str(tiny_bert), pooling="max")
    with pytest.raises(ConfigError, match="on_missing_model"):
        run(tmp_path, str(tiny_bert), on_missing_model="ignore")
