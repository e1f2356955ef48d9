"""Logging set-up for stage jobs: one log file per rule and session, progress with counts."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_file: str | os.PathLike | None, level: int = logging.INFO) -> None:
    """Send ``engage.*`` logs to ``log_file`` (the rule's ``log:``) and warnings+ to stderr."""
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.setLevel(level)
    if log_file:
        os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
        open(log_file, "w").close()  # a fresh log per job; appended to from here on (so lines that
        # native code writes to the same file, engage.quiet.native_stderr_to, are never overwritten)
        fh = logging.FileHandler(log_file, mode="a", encoding="utf-8")
        fh.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(fh)
    # Python warnings of dependencies (deprecations ...) go to the log file, not the terminal.
    logging.captureWarnings(True)
    sh = logging.StreamHandler(sys.stderr)
    sh.setLevel(logging.WARNING if log_file else level)
    # Records logged with extra={"file_only": True} (e.g. the final one-line error, which the
    # runner prints itself) and captured Python warnings stay out of stderr, so the user sees each
    # message once and only the pipeline's own.
    sh.addFilter(lambda record: not getattr(record, "file_only", False) and (record.name != "py.warnings" or not log_file))
    sh.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(sh)


def progress(items: Iterable[T], total: int | None, what: str, logger: logging.Logger, every_s: float = 10.0) -> Iterator[T]:
    """Yield ``items`` and log ``what: done/total (rate/s)`` every ``every_s`` seconds and at the end.

    Log-file friendly progress (tqdm's carriage returns make logs unreadable).
    """
    t0 = last = time.monotonic()
    n = 0
    for n, item in enumerate(items, 1):
        yield item
        now = time.monotonic()
        if now - last >= every_s:
            last = now
            rate = n / max(now - t0, 1e-9)
            tot = f"/{total}" if total else ""
            logger.info("%s: %d%s (%.1f/s)", what, n, tot, rate)
    dt = time.monotonic() - t0
    logger.info("%s: %d done in %.1f s", what, n, dt)
