"""`engage` command: small utilities around the workflow (the workflow itself runs with snakemake).

Examples:
  engage probe examples/sessions/demo/gallery.mp4      # what ingest will see (JSON)
  engage sessions examples/sessions                     # which session folders are valid
  engage check-weights models/light-asd/finetuning_TalkSet.model --sha256 efc3...
  engage labels agree sessions/s1/labels/anna.csv sessions/s1/labels/ben.csv   # ICC(2,1), alpha, kappa (JSON)
  engage labels serve --rater anna                      # label clips in the browser (docs/labelling.md)
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


def _labels_agree(args: argparse.Namespace) -> int:
    from engage.labels.cli import agree

    print(json.dumps(agree(args.files, args.kappa_weights, args.configfile), indent=1, ensure_ascii=False))
    return 0


def _labels_serve(args: argparse.Namespace) -> int:
    from engage.labels.cli import serve_from_config

    return serve_from_config(args)


def _add_labels_parser(sub) -> None:
    from engage.labels.agreement import KAPPA_WEIGHTS

    lp = sub.add_parser("labels", aliases=["label"], help="label clips in the browser; agreement between raters",
                        description="Labelling tools (docs/labelling.md). The merge into the dataset and "
                        "results/labels/agreement.json are workflow rules; these commands are for people.")
    lsub = lp.add_subparsers(dest="labels_cmd", required=True)
    ap = lsub.add_parser("agree", help="agreement of rater files as JSON (ICC(2,1) with 95%% CI, ordinal alpha, kappa)",
                         description="Print the agreement between rater files (clip_id,label with HD|DE|EG|HE|skip; "
                         "one file per rater, named <rater>.csv; files of the same name are one rater over several "
                         "sessions; adjudicated.csv is not a rater). Keys: icc2_1, icc2_1_ci95, icc2_1_n_clips (clips "
                         "every rater rated), alpha_ordinal, n_clips, n_raters, exact_agreement, pairs (weighted "
                         "kappa and confusion matrix per rater pair), label_counts.")
    ap.add_argument("files", nargs="+", metavar="FILE.csv")
    ap.add_argument("--kappa-weights", choices=KAPPA_WEIGHTS, default=None,
                    help="weights of Cohen's kappa (default: labels.kappa_weights of --configfile, else quadratic)")
    ap.add_argument("--configfile", default="config.yaml", help="config for defaults (default: ./config.yaml if present)")
    ap.set_defaults(func=_labels_agree)
    sp = lsub.add_parser("serve", help="local label server for the pages of `snakemake label_pages`",
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         description="Serve results/label/ (built by `snakemake label_pages`) and the clips on "
                         "127.0.0.1, and save every label to sessions/<s>/labels/<rater>.csv as it is given. "
                         "Open the printed address (it holds a random token that lets only this browser in) in a browser on this machine.",
                         epilog="examples:\n  engage labels serve --rater anna\n  engage labels serve --session demo "
                         "--rater anna --port 8800\n  engage labels serve --session demo --review   # disagreements -> "
                         "labels/adjudicated.csv")
    sp.add_argument("--configfile", default="config.yaml",
                    help="workflow config giving sessions_dir, results_dir and labels.port (default: ./config.yaml)")
    sp.add_argument("--sessions-dir", default=None, help="overrides sessions_dir of the config")
    sp.add_argument("--results-dir", default=None, help="overrides results_dir of the config")
    sp.add_argument("--port", type=int, default=None, help="TCP port on 127.0.0.1 (default labels.port, 8765; 0 = any free)")
    sp.add_argument("--rater", default=None, help="your rater name (the file name sessions/<s>/labels/<rater>.csv)")
    sp.add_argument("--session", default=None, help="open this session's page directly")
    sp.add_argument("--review", action="store_true", help="review mode: only the disagreements, saved as adjudicated")
    sp.set_defaults(func=_labels_serve)


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
    _add_labels_parser(sub)
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
