"""Load a Hugging Face encoder (BERT family) for the text stage: offline by default, with provenance.

``model`` is a local folder (anything ``save_pretrained`` wrote) or a Hugging Face hub id. Nothing is
downloaded unless the caller allows it *and* ``HF_HUB_OFFLINE`` is not set; otherwise only the local
folder or the local Hugging Face cache is used (``local_files_only=True``). A model that cannot be
loaded raises :class:`ModelMissing` with the ways to provide it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engage.errors import ConfigError
from engage.io.hashing import sha256_files
from engage.torchutil import log_device, pick_device
from engage.weights import check_sha256

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
    device: Any  # torch.device
    revision: str | None  # hub commit hash (cache snapshot) or None for a local folder
    weights_sha256: str | None
    hidden_size: int
    max_length: int


def weights_files(folder: Path) -> list[Path]:
    """The weight file(s) whose sha256 is recorded and checked against ``text.sha256``.

    ``model.safetensors`` when the folder has one, else ``pytorch_model.bin`` (the digest is then what
    ``sha256sum FILE`` prints); a sharded model: its index file and all shards, sorted, hashed together
    (:func:`engage.io.hashing.sha256_files`).
    """
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
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        snap = Path(snapshot_download(repo_id=model, revision=revision, local_files_only=True))
    except (LocalEntryNotFoundError, HFValidationError) as err:  # loaded, yet not a cache snapshot
        log.warning("text model %s: no Hugging Face cache snapshot to record its revision and weights sha256 "
                    "(%s: %s)", model, type(err).__name__, " ".join(str(err).split())[:200])
        return None, None
    return snap, snap.name


def load_model(model: str, *, device: str = "auto", allow_download: bool = False, max_length: int = 512,
               revision: str | None = None, sha256: str | None = None) -> LoadedModel:
    """Load tokenizer + encoder in eval mode on ``device``; raise :class:`ModelMissing` if unavailable.

    ``sha256`` (config ``text.sha256``), when given, must equal the digest of :func:`weights_files`.
    """
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # tqdm bars would fill the rule's log with carriage returns
    dev = pick_device(device, config_key="text.device")  # a config error before any loading
    log_device(log, "text", dev)

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
    enc.eval().to(dev)
    folder, commit = model_folder(src, revision)
    files = weights_files(folder) if folder else []
    digest = sha256_files(files) if files else None
    if digest is None:
        if sha256:
            raise ConfigError(f"text.sha256 is set but text model {model} has no model.safetensors/pytorch_model.bin "
                              "to check it against")
        log.warning("text model %s: no weights file found to hash (provenance recorded without sha256)", model)
    else:
        check_sha256(digest, sha256, what=f"text model {model} ({files[0].name})", config_key="text.sha256")
    limits = [max_length]
    n_pos = getattr(enc.config, "max_position_embeddings", None)
    if isinstance(n_pos, int) and n_pos > 0:
        limits.append(n_pos - (2 if getattr(enc.config, "model_type", "") in ("roberta", "xlm-roberta") else 0))
    tml = getattr(tok, "model_max_length", None)
    if isinstance(tml, int) and 0 < tml < 1_000_000:
        limits.append(tml)
    return LoadedModel(name=model, tokenizer=tok, model=enc, device=dev, revision=commit, weights_sha256=digest,
                       hidden_size=int(enc.config.hidden_size), max_length=int(min(limits)))
