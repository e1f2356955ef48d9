"""Glue between a Snakemake ``script:`` and a stage function in this package.

``run_stage`` sets up the rule's log file, calls the stage function and turns a
:class:`~engage.errors.SessionError` into one readable line on stderr and in the log,
exiting non-zero so Snakemake marks only that session's job failed (``--keep-going``).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable

from engage.errors import ConfigError, SessionError
from engage.logutil import setup_logging


def run_stage(smk: Any, func: Callable[..., Any], **kwargs: Any) -> Any:
    """Run ``func(**kwargs)`` for the Snakemake job ``smk`` (the ``snakemake`` script object)."""
    log_file = smk.log[0] if len(smk.log) else None
    setup_logging(log_file)
    logger = logging.getLogger(f"engage.{smk.rule}")
    wc = dict(smk.wildcards.items()) if hasattr(smk.wildcards, "items") else {}
    logger.info("rule %s %s threads=%s", smk.rule, wc, smk.threads)
    try:
        return func(**kwargs)
    except (SessionError, ConfigError) as err:
        line = f"ERROR [{smk.rule}] {err}"
        logger.error(line, extra={"file_only": True})
        print(line, file=sys.stderr, flush=True)
        sys.exit(1)
