"""Look at a Snakemake report the way a reader does: headless Chromium screenshots.

    python -m engage.report.screenshot results/report.html results/report.png [--width 1400 --height 2000]

Needs Debian's `chromium` (apt-get install chromium); used by the report check in docs/report.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html: str | Path, png: str | Path, width: int = 1400, height: int = 2000, wait_ms: int = 3000) -> Path:
    """Render ``html`` (a file) to ``png``; raises RuntimeError if Chromium is missing or fails."""
    browser = find_chromium()
    if not browser:
        raise RuntimeError("chromium not found (apt-get install chromium)")
    png = Path(png).resolve()
    with tempfile.TemporaryDirectory() as profile:
        cmd = [browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
               f"--virtual-time-budget={wait_ms}", f"--screenshot={png}", Path(html).resolve().as_uri()]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if res.returncode != 0 or not png.exists():
        raise RuntimeError(f"chromium failed ({res.returncode}): {res.stderr[-500:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("html")
    ap.add_argument("png")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=2000)
    args = ap.parse_args(argv)
    print(screenshot(args.html, args.png, args.width, args.height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
