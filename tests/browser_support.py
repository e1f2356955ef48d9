"""Real headless Chromium for tests (Selenium with Debian's chromium + chromium-driver) and the label server.

Chromium is installed with apt when the tests run as root and it is missing (CI: Debian 12, root);
elsewhere a missing browser fails the test with the command to run (never a skip). Selenium is pointed
at /usr/bin/chromedriver and /usr/bin/chromium, so Selenium Manager never downloads anything.
Everything started here is stopped by its pid.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from engage.report.screenshot import FLAGS

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def ensure_chromium() -> None:
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"], check=True, env=env,
                       capture_output=True, timeout=1200)
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("browser tests need Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")


def _stop(pid: int | None) -> None:
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


@contextlib.contextmanager
def chromium(tmp_path: Path) -> Iterator[object]:
    """A headless Chromium driven by Selenium; quit (and its driver process stopped) afterwards."""
    ensure_chromium()
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager, should anything call it: no downloads
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS + ["--window-size=1280,900", "--mute-audio", "--autoplay-policy=no-user-gesture-required",
                         f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        opts.add_argument(flag)
    service = Service(CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=opts)
    pid = service.process.pid if service.process else None
    try:
        yield driver
    finally:
        driver.quit()
        if service.process and service.process.poll() is None:
            _stop(pid)


@contextlib.contextmanager
def label_server(sessions: Path, results: Path, *extra: str, log: Path) -> Iterator[str]:
    """``engage labels serve`` as a subprocess on a free port; yields the printed address (with its token)."""
    cmd = [sys.executable, "-m", "engage.cli", "labels", "serve", "--configfile", "", "--sessions-dir", str(sessions),
           "--results-dir", str(results), "--port", "0", *extra]
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            url = None
            deadline = time.monotonic() + 60
            while url is None and time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                if line.startswith("open: "):
                    url = line.split("open: ", 1)[1].strip()
            assert url, f"label server did not start: {log.read_text()}"
            yield url
        finally:
            _stop(proc.pid)
            proc.wait(timeout=30)
            proc.stdout.close()
