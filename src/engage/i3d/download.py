"""Explicit, opt-in download of a checkpoint (rule ``download_i3d_weights``; never part of ``all``).

The stage itself never touches the network. This helper streams ``url`` to ``dest`` atomically,
checks the sha256 when one is configured (and deletes nothing but its own temp file on failure),
and logs the sha256 and git blob id so the user can pin them in config.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from pathlib import Path

from engage.errors import ConfigError
from engage.i3d.checkpoint import KNOWN_GIT_BLOBS
from engage.io.atomic import atomic_path
from engage.io.hashing import git_blob_id, sha256_file

log = logging.getLogger(__name__)


def download_weights(url: str, dest: str | os.PathLike, sha256: str | None = None, timeout: float = 60.0) -> str:
    """Fetch ``url`` to ``dest``; return its sha256. ConfigError on a missing URL or a sha256 mismatch
    (``sha256`` empty or None: not checked, the digest is logged to pin it)."""
    if not url:
        raise ConfigError("i3d.weights_url is empty: set it to the checkpoint URL to download (or copy the file yourself)")
    with atomic_path(dest) as tmp:
        log.info("downloading %s -> %s", url, dest)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
                while block := resp.read(1 << 20):
                    out.write(block)
        except OSError as err:
            raise ConfigError(f"cannot download {url}: {err}") from None
        digest = sha256_file(tmp)
        if sha256 and digest.lower() != sha256.lower():
            raise ConfigError(f"download of {url} has sha256 {digest}, expected {sha256} (i3d.sha256): not saved")
    blob = git_blob_id(dest)
    log.info("saved %s (%d bytes) sha256 %s git-blob %s%s", dest, Path(dest).stat().st_size, digest, blob,
             f" = {KNOWN_GIT_BLOBS[blob]}" if blob in KNOWN_GIT_BLOBS else "")
    if not sha256:
        log.warning("no i3d.sha256 configured: pin it with i3d.sha256: %s", digest)
    return digest
