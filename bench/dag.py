#!/usr/bin/env python3
"""DAG construction cost: dry-run time for 1, 10 and 100 synthetic sessions.

Sessions are placeholder folders (an empty gallery.mp4 and a transcript): enough for `snakemake -n`,
which only builds the DAG. Prints seconds per dry run and the ratio to the 1-session run; the goal is
<= 5 s for 100 sessions and roughly linear growth.

    python bench/dag.py [--sizes 1 10 100]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nhello\n"


def dry_run(n: int, root: Path) -> tuple[float, int]:
    sessions = root / f"s{n}"
    for i in range(n):
        d = sessions / f"session{i:04d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "gallery.mp4").touch()
        (d / "transcript.vtt").write_text(VTT)
    cmd = [sys.executable, "-m", "snakemake", "-n", "--quiet", "all", "--cores", "2",
           "--snakefile", str(REPO / "Snakefile"), "--directory", str(root),
           "--config", f"sessions_dir={sessions}", f"results_dir={root / f'r{n}'}"]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"dry run with {n} sessions failed:\n{res.stderr[-3000:]}")
    totals = [int(line.split()[-1]) for line in res.stdout.splitlines() if line.startswith("total")]
    jobs = totals[0] if totals else 0  # the job-stats table is printed once per dry run (plus a summary)
    return dt, jobs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            dt, jobs = dry_run(n, Path(tmp))
            rows.append({"sessions": n, "seconds": round(dt, 2), "jobs": jobs})
    base = rows[0]["seconds"]
    print(f"{'sessions':>8} {'jobs':>6} {'seconds':>8} {'x vs first':>10}")
    for r in rows:
        print(f"{r['sessions']:>8} {r['jobs']:>6} {r['seconds']:>8.2f} {r['seconds'] / base:>10.2f}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
