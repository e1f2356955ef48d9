"""Load a Hugging Face encoder (BERT family) for the text stage: offline by default, with provenance.

``model`` is a local folder (anything ``save_pretrained`` wrote) or a Hugging Face hub id. Nothing is
downloaded unless the caller allows it *and* ``HF_HUB_OFFLINE`` is not set; otherwise only the local
folder or the local Hugging Face cache is used (``local_files_only=True``). A model that cannot be
loaded raises :class:`ModelMissing` with the ways to provide it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engage.errors import ConfigError

log = logging.getLogger(__name__)

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
INDEX_FILES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")


class ModelMissing(ConfigError):
    """The configured text model is neither a loadable local folder nor in the local HF cache."""


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def how_to_provide(model: str) -> str:
    return (f"Provide it in one of these ways: (1) download it once with text.allow_download: true "
            f"(and HF_HUB_OFFLINE unset) or `hf download {model}` (huggingface-cli in older huggingface_hub) on a machine with internet "
            f"and copy the Hugging Face cache (~/.cache/huggingface or $HF_HOME); (2) set text.model to a local "
            f"folder holding config.json, the tokenizer files and model.safetensors/pytorch_model.bin "
            f"(e.g. one written by save_pretrained); (3) set text.on_missing_model: skip to write the transcript "
            f"text with null embeddings (recorded as model_missing in the Parquet metadata).")


@dataclass
class LoadedModel:
    name: str
    tokenizer: Any
    model: Any
    device: str
    revision: str | None  # hub commit hash (cache snapshot) or None for a local folder
    weights_sha256: str | None
    hidden_size: int
    max_length: int


def _sha256_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        if len(paths) > 1:
            h.update(p.name.encode())
        with open(p, "rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
    return h.hexdigest()


def weights_files(folder: Path) -> list[Path]:
    """The weight file(s) of a model folder (all shards, sorted, when sharded)."""
    for name in WEIGHT_FILES:
        if (folder / name).is_file():
            return [folder / name]
    for name in INDEX_FILES:
        if (folder / name).is_file():
            import json

            shards = sorted(set(json.loads((folder / name).read_text())["weight_map"].values()))
            return [folder / name] + [folder / s for s in shards]
    return []


def model_folder(model: str, revision: str | None) -> tuple[Path | None, str | None]:
    """(folder holding the model files, hub commit hash or None) for a local dir or a cached hub id."""
    p = Path(model).expanduser()
    if p.is_dir():
        return p.resolve(), None
    try:
        from huggingface_hub import snapshot_download

        snap = Path(snapshot_download(repo_id=model, revision=revision, local_files_only=True))
    except Exception:  # not in the cache (or an invalid id): the caller's load already succeeded or failed
        return None, None
    return snap, snap.name


def resolve_device(device: str) -> str:
    """'auto' → 'cuda' when torch sees a GPU, else 'cpu'; anything else is passed to torch as is."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"text.device is {device!r} but torch sees no CUDA device (use 'auto' or 'cpu')")
    return device


def load_model(model: str, *, device: str = "auto", allow_download: bool = False, max_length: int = 512,
               revision: str | None = None) -> LoadedModel:
    """Load tokenizer + encoder in eval mode on ``device``; raise :class:`ModelMissing` if unavailable."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # tqdm bars would fill the rule's log with carriage returns

    offline = hub_offline()
    if allow_download and offline:
        log.warning("text.allow_download is true but HF_HUB_OFFLINE is set: nothing will be downloaded")
    local_only = not allow_download or offline
    is_dir = Path(model).expanduser().is_dir()
    if not is_dir and (model.startswith((".", "/", "~")) or model.count("/") > 1):
        raise ModelMissing(f"text model folder {model!r} does not exist. " + how_to_provide(model))
    src = str(Path(model).expanduser()) if is_dir else model
    try:
        tok = AutoTokenizer.from_pretrained(src, local_files_only=local_only, revision=revision)
        enc = AutoModel.from_pretrained(src, local_files_only=local_only, revision=revision)
    except (OSError, ValueError) as err:  # transformers raises OSError for missing files / not in cache
        where = "local folder" if is_dir else ("Hugging Face cache (offline)" if local_only else "Hugging Face hub")
        first = " ".join(str(err).split())[:300].rstrip(".")
        raise ModelMissing(f"text model {model!r} could not be loaded from the {where}: {first}. "
                           + how_to_provide(model)) from None
    dev = resolve_device(device)
    enc.eval().to(dev)
    folder, commit = model_folder(src, revision)
    files = weights_files(folder) if folder else []
    digest = _sha256_files(files) if files else None
    if digest is None:
        log.warning("text model %s: no weights file found to hash (provenance recorded without sha256)", model)
    limits = [max_length]
    n_pos = getattr(enc.config, "max_position_embeddings", None)
    if isinstance(n_pos, int) and n_pos > 0:
        limits.append(n_pos - (2 if getattr(enc.config, "model_type", "") in ("roberta", "xlm-roberta") else 0))
    tml = getattr(tok, "model_max_length", None)
    if isinstance(tml, int) and 0 < tml < 1_000_000:
        limits.append(tml)
    return LoadedModel(name=model, tokenizer=tok, model=enc, device=dev, revision=commit, weights_sha256=digest,
                       hidden_size=int(enc.config.hidden_size), max_length=int(min(limits)))
