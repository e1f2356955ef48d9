"""Glue between a Snakemake ``script:`` and a stage function in this package.

``run_stage`` sets up the rule's log file, calls the stage function and turns a
:class:`~engage.errors.SessionError` into one readable line on stderr and in the log,
exiting non-zero so Snakemake marks only that session's job failed (``--keep-going``).

The one way settings reach a stage: every ``params:`` entry of the rule is passed as the keyword
argument of the same name (a script never lists them), and the script passes the job's files,
wildcards and threads. tests/test_param_forwarding.py checks, for every rule, that its params keys
and the script's arguments are exactly the stage function's arguments.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable

from engage.errors import ConfigError, SessionError
from engage.logutil import setup_logging
from engage.quiet import native_stderr_to


def stage_arguments(smk: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` (files, wildcards, threads) plus every rule param under its own name."""
    params = dict(smk.params.items())
    both = sorted(set(params) & set(kwargs))
    if both:
        raise TypeError(f"rule {smk.rule}: {both} given both as params and by the script")
    return {**kwargs, **params}


def run_stage(smk: Any, func: Callable[..., Any], **kwargs: Any) -> Any:
    """Run ``func(**kwargs, **params)`` for the Snakemake job ``smk`` (the ``snakemake`` script object)."""
    kwargs = stage_arguments(smk, kwargs)
    log_file = smk.log[0] if len(smk.log) else None
    with native_stderr_to(log_file):  # TFLite/absl chatter into the log, not the terminal
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
