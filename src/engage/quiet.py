"""Keep the native libraries' chatter (TFLite, MediaPipe/absl, protobuf) off the terminal.

Why: every MediaPipe graph prints absl/TFLite lines ("Created TensorFlow Lite XNNPACK delegate",
"inference_feedback_manager.cc ... Disabling support for feedback tensors", "All log messages
before absl::InitializeLog() ...") and protobuf a deprecation warning per process; a run over a
few sessions printed more than 140 of them, which buried the one-line errors that matter.

Two layers, both set up in one place (:func:`quiet_libraries` runs when ``engage`` is imported,
before any of these libraries; :func:`native_stderr_to` wraps every stage job in
``engage.runner.run_stage``):

* log levels by environment variable and warning filters, for the libraries that honour them
  (glog/TensorFlow-style ``GLOG_minloglevel``, ``TF_CPP_MIN_LOG_LEVEL``; protobuf's Python
  deprecation warning). MediaPipe 0.10.14's absl logging ignores every environment variable and
  exports no function to set its level (measured), so:
* the process's native stderr (file descriptor 2, what C/C++ code and child processes write to)
  goes to the job's log file while Python's own ``sys.stderr`` keeps the terminal: the stage's
  warnings and its one ``ERROR`` line still reach the user, the native lines stay in the log.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import warnings
from typing import Iterator

#: Environment defaults set before the libraries load (a user's own setting wins).
ENVIRONMENT = {
    "GLOG_minloglevel": "2",  # glog-based builds (older MediaPipe, sentencepiece): errors only
    "TF_CPP_MIN_LOG_LEVEL": "2",  # TensorFlow / TFLite builds that read it: errors only
}

#: Python warnings of dependencies that say nothing about the user's data (message prefixes).
IGNORED_WARNINGS = (
    "SymbolDatabase.GetPrototype() is deprecated",  # protobuf, on every MediaPipe result
)


def quiet_libraries() -> None:
    """Set the log-level environment and warning filters (idempotent; before the libraries import)."""
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    for message in IGNORED_WARNINGS:
        warnings.filterwarnings("ignore", message=re.escape(message))


@contextlib.contextmanager
def native_stderr_to(log_file: str | os.PathLike | None) -> Iterator[None]:
    """Inside the block, native writes to stderr go to ``log_file`` (appended); ``sys.stderr`` stays
    the terminal. Restored afterwards. Without a log file nothing changes."""
    if not log_file:
        yield
        return
    os.makedirs(os.path.dirname(os.path.abspath(log_file)), exist_ok=True)
    sys.stderr.flush()
    terminal = os.dup(2)
    log_fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    old_stderr = sys.stderr
    sys.stderr = io.TextIOWrapper(io.FileIO(os.dup(terminal), "w"), encoding=getattr(old_stderr, "encoding", None)
                                  or "utf-8", errors="backslashreplace", line_buffering=True)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(terminal, 2)
        os.close(terminal)
        sys.stderr = old_stderr  # the wrapper stays open: logging handlers made inside may still hold it
