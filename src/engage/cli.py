"""`engage` command: small utilities around the workflow (the workflow itself runs with snakemake).

Examples:
  engage probe examples/sessions/demo/gallery.mp4      # what ingest will see (JSON)
  engage sessions examples/sessions                     # which session folders are valid
  engage check-weights models/light-asd/finetuning_TalkSet.model --sha256 efc3...
"""

from __future__ import annotations

import argparse
import json
import sys

from engage import __version__


def _probe(args: argparse.Namespace) -> int:
    from engage.media.probe import probe_media

    print(json.dumps(probe_media(args.video), indent=1, sort_keys=True))
    return 0


def _sessions(args: argparse.Namespace) -> int:
    from engage.workflow_support import SESSION_PATTERN, discover_sessions, sessions_dir_problem

    problem = sessions_dir_problem(args.sessions_dir)
    if problem:
        print(f"engage sessions: {problem}", file=sys.stderr)
        return 1
    scan = discover_sessions(args.sessions_dir, SESSION_PATTERN)
    for s in scan.sessions:
        print(f"ok      {s}")
    for s, why in scan.warnings:
        print(f"warning {s!r}: {why}")
    for s, why in scan.rejected:
        print(f"skipped {s!r}: {why}")
    if not scan.sessions and not scan.rejected:
        print(f"no session folder in {args.sessions_dir}")
    return 0 if not scan.rejected else 1


def _check_weights(args: argparse.Namespace) -> int:
    from engage.weights import resolve_weights

    path, digest = resolve_weights(args.path, args.sha256)
    print(f"{path}  sha256={digest}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="engage",
        description="Utilities for the engagement-analytics workflow. Run the pipeline itself with "
        "`./pipeline.sh sample` or `snakemake --cores N` (see README.md).",
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"engage {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("probe", help="print what the ingest stage sees in a recording (JSON)")
    sp.add_argument("video")
    sp.set_defaults(func=_probe)
    sp = sub.add_parser("sessions", help="list valid and rejected session folders")
    sp.add_argument("sessions_dir")
    sp.set_defaults(func=_sessions)
    sp = sub.add_parser("check-weights", help="check a weights file exists and print/verify its sha256")
    sp.add_argument("path")
    sp.add_argument("--sha256", default=None)
    sp.set_defaults(func=_check_weights)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as err:  # one line for the user; tracebacks are for bugs in tests
        print(f"engage {args.cmd}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
