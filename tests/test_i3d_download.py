"""Opt-in checkpoint download (file:// URL, no network) and git blob ids of checkpoints."""

from __future__ import annotations

import subprocess

import pytest

from engage.errors import ConfigError
from engage.io.hashing import git_blob_id
from engage.i3d.download import download_weights
from engage.io.hashing import sha256_file


@pytest.fixture()
def source(tmp_path):
    src = tmp_path / "remote" / "rgb_imagenet.pt"
    src.parent.mkdir()
    src.write_bytes(bytes(range(256)) * 1000)
    return src


def test_download_checks_sha256(tmp_path, source):
    dest = tmp_path / "models" / "i3d" / "rgb_imagenet.pt"
    digest = download_weights(source.as_uri(), dest, sha256=sha256_file(source))
    assert dest.read_bytes() == source.read_bytes() and digest == sha256_file(source)


def test_download_sha256_mismatch_leaves_nothing(tmp_path, source):
    dest = tmp_path / "models" / "rgb_imagenet.pt"
    with pytest.raises(ConfigError, match="expected ff"):
        download_weights(source.as_uri(), dest, sha256="ff" * 32)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_download_needs_url(tmp_path):
    with pytest.raises(ConfigError, match="weights_url is empty"):
        download_weights("", tmp_path / "x.pt")


def test_git_blob_id_equals_git_hash_object(source):
    out = subprocess.run(["git", "hash-object", str(source)], capture_output=True, text=True, check=True).stdout.strip()
    assert git_blob_id(source) == out
