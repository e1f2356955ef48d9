"""Tesseract for the tests that read tile names: installed here when missing (CI is root on Debian).

A test that needs OCR must not pass by skipping: when the language data is missing and cannot be
installed, it fails and says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def ensure_tesseract() -> None:
    """Make sure Tesseract's English data is there (apt-get as root), or fail the test."""
    from engage.layout.ocr import OcrUnavailable, tessdata_dir

    try:
        tessdata_dir()
        return
    except OcrUnavailable as exc:
        missing = str(exc)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True, env=env)
        res = subprocess.run(["apt-get", "install", "-y", "-qq", "tesseract-ocr", "tesseract-ocr-eng"],
                             capture_output=True, text=True, env=env)
        if res.returncode == 0:
            tessdata_dir()
            return
        missing += f" (apt-get failed: {res.stderr.strip()[-300:]})"
    pytest.fail(f"OCR tests need Tesseract: {missing}")
