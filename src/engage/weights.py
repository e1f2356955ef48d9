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


def resolve_weights(
    path: str | os.PathLike,
    sha256: str | None = None,
    *,
    what: str = "model weights",
    config_key: str = "",
    how_to_get: str = "",
) -> tuple[Path, str]:
    """Return ``(absolute path, sha256)`` of a local weights file, checking ``sha256`` when given.

    Relative paths are resolved by the workflow (from the workflow folder) before they get here;
    ``config_key``/``how_to_get`` make the error message actionable.
    """
    p = Path(path).expanduser()
    if not p.is_file():
        key = f" (config key {config_key})" if config_key else ""
        hint = f" {how_to_get}" if how_to_get else ""
        raise ConfigError(f"{what} not found: put the file at {p}{key}.{hint}")
    digest = sha256_file(p)
    check_sha256(digest, sha256, what=f"{what} at {p}", config_key=config_key)
    return p.resolve(), digest


def check_sha256(digest: str, expected: str | None, *, what: str, config_key: str = "") -> None:
    """ConfigError when ``expected`` is given and differs from ``digest`` (case-insensitive)."""
    if expected and digest.lower() != expected.lower():
        key = f" (config key {config_key})" if config_key else ""
        raise ConfigError(f"{what} has sha256 {digest}, expected {expected}{key}: wrong or corrupt file")
