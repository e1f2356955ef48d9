"""Model weights: resolve a configured path, check its sha256, never download.

A missing file is a :class:`~engage.errors.ConfigError` that says which file to put where;
a sha256 mismatch is an error too (a silently different checkpoint gives silently different features).
"""

from __future__ import annotations

import os
from pathlib import Path

from engage.errors import ConfigError
from engage.io.hashing import sha256_file

RANDOM = "random"  # config value meaning "random-initialised weights" (recorded loudly)
RANDOM_TAG = "random-init"


sha256_of = sha256_file  # public name kept for callers


def resolve_weights(
    path: str | os.PathLike,
    sha256: str | None = None,
    *,
    what: str = "model weights",
    config_key: str = "",
    how_to_get: str = "",
    base_dir: str | os.PathLike | None = None,
) -> tuple[Path, str]:
    """Return ``(absolute path, sha256)`` of a local weights file, checking ``sha256`` when given.

    ``base_dir`` resolves relative paths (the workflow's folder); ``config_key``/``how_to_get``
    make the error message actionable.
    """
    p = Path(path).expanduser()
    if not p.is_absolute() and base_dir is not None:
        p = Path(base_dir) / p
    key = f" (config key {config_key})" if config_key else ""
    if not p.is_file():
        hint = f" {how_to_get}" if how_to_get else ""
        raise ConfigError(f"{what} not found: put the file at {p}{key}.{hint}")
    digest = sha256_of(p)
    if sha256 and digest.lower() != sha256.lower():
        raise ConfigError(f"{what} at {p} has sha256 {digest}, expected {sha256}{key}: wrong or corrupt file")
    return p.resolve(), digest
