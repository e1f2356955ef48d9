"""Errors that end one session's job with a single, readable line."""

from __future__ import annotations


class SessionError(RuntimeError):
    """Bad input for one session: names the session, the file and the problem.

    Raised by stages; the stage runner prints ``str(err)`` as one line and exits 1,
    so ``snakemake --keep-going`` continues with the other sessions.
    """

    def __init__(self, session: str | None, path: object, problem: str):
        self.session = session
        self.path = str(path) if path is not None else None
        self.problem = " ".join(str(problem).split())  # one line, always
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = f"session '{self.session}'" if self.session else "input"
        what = f" ({self.path})" if self.path else ""
        return f"{where}{what}: {self.problem}"


class ConfigError(ValueError):
    """A config value is invalid (path missing, weights sha256 mismatch, ...)."""
