"""Rule wiring of the labels rules on hand-made contract files (engage.model.testdata), upstream rules excluded.

The full chain on the real sample session is in tests/e2e/test_labels_e2e.py.
"""

from __future__ import annotations

import json

from conftest import run_snakemake
from engage.contract import MERGED_LABELS
from engage.model.testdata import write_session


def _sessions(tmp_path, names):
    sessions, results = tmp_path / "sessions", tmp_path / "results"
    clips = {}
    for i, s in enumerate(names):
        (sessions / s).mkdir(parents=True)
        (sessions / s / "gallery.mp4").write_bytes(b"")  # placeholder so the session is discovered
        clips[s] = sorted(write_session(results, s, n_persons=2, n_windows=2, seed=i))
    return sessions, results, clips


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("clip_id,label\n" + "".join(f"{c},{lab}\n" for c, lab in rows))


def test_bad_rater_file_fails_only_its_session(tmp_path):
    sessions, results, clips = _sessions(tmp_path, ["good", "bad"])
    for s in ("good", "bad"):
        _write(sessions / s / "labels" / "anna.csv", [(c, "EG") for c in clips[s]])
    _write(sessions / "good" / "labels" / "ben.csv", [(c, lab) for c, lab in zip(clips["good"], ["EG", "HE", "DE", "EG"])])
    _write(sessions / "bad" / "labels" / "ben.csv", [(clips["bad"][0], "EG"), (clips["bad"][0], "HE")])
    targets = [str(results / s / "labels" / "merged.parquet") for s in ("good", "bad")]
    res = run_snakemake(*targets, "--cores", "1", "--keep-going", "--allowed-rules", "labels_merge",
                        config={"sessions_dir": sessions, "results_dir": results}, cwd=tmp_path, check=False)
    assert res.returncode != 0
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("ERROR [labels_merge]")]
    bad_file = sessions / "bad" / "labels" / "ben.csv"
    assert errors == [f"ERROR [labels_merge] session 'bad' ({bad_file}): rater file: line 3: clip {clips['bad'][0]} "
                      "labelled twice (first on line 2)"]
    merged = MERGED_LABELS.read(results / "good" / "labels" / "merged.parquet", session="good").to_pylist()
    assert [(r["label"], r["n_raters"], r["agreed"]) for r in merged] == [("EG", 2, True), ("EG", 2, False),
                                                                          ("DE", 2, False), ("EG", 2, True)]
    assert not (results / "bad" / "labels" / "merged.parquet").exists()


def test_parse_time_label_sources(tmp_path):
    """Header-only labels.csv: said at parse time, and no train/eval in `all`; rater files: agreement in `all`."""
    sessions, results, clips = _sessions(tmp_path, ["s1", "labels"])
    (sessions / "s1" / "labels.csv").write_text("clip_id,label\n\n")
    cfg = {"sessions_dir": sessions, "results_dir": results}
    res = run_snakemake("-n", "--cores", "1", config=cfg, cwd=tmp_path)
    assert "session 's1'" in res.stderr and "labels.csv has no label rows (empty or header only); ignored" in res.stderr
    assert f"ERROR session 'labels' in {sessions}: reserved session folder name" in res.stderr  # one check, at discovery
    assert "train/eval/tables are not part of `all`" in res.stderr
    assert "rule train:" not in res.stdout and "rule labels_merge:" not in res.stdout
    _write(sessions / "s1" / "labels" / "anna.csv", [(clips["s1"][0], "EG")])
    res = run_snakemake("-n", "--cores", "1", config=cfg, cwd=tmp_path)
    assert "rule labels_merge:" in res.stdout and "rule labels_agreement:" in res.stdout and "rule train:" in res.stdout
    assert "rule label_pages:" not in res.stdout  # the pages are built only when asked for


def test_agreement_rule_and_pages(tmp_path):
    sessions, results, clips = _sessions(tmp_path, ["s1", "s2"])
    for s in ("s1", "s2"):
        _write(sessions / s / "labels" / "anna.csv", [(c, lab) for c, lab in zip(clips[s], ["HD", "DE", "EG", "HE"])])
        _write(sessions / s / "labels" / "ben.csv", [(c, lab) for c, lab in zip(clips[s], ["HD", "EG", "EG", "HE"])])
    _write(sessions / "s2" / "labels.csv", [(clips["s2"][0], "HE")])
    out = results / "labels" / "agreement.json"
    run_snakemake(str(out), "label_pages", "--cores", "1", "--allowed-rules", "labels_merge", "labels_agreement",
                  "label_page", "label_pages", config={"sessions_dir": sessions, "results_dir": results}, cwd=tmp_path)
    doc = json.loads(out.read_text())
    assert doc["n_clips"] == 8 and doc["n_raters"] == 2 and doc["raters"] == ["anna", "ben"]
    assert doc["sessions"]["s1"]["n_clips"] == 4 and doc["pairs"][0]["confusion"][1] == [0, 0, 2, 0]
    assert doc["merge"]["s2"]["override"] is True and doc["merge"]["s2"]["n_labelled"] == 1
    assert 0 < doc["icc2_1"] < 1 and len(doc["icc2_1_ci95"]) == 2
    html = (results / "labels" / "agreement.html").read_text()
    assert f"{doc['icc2_1']:.2f}" in html and "anna – ben" in html
    assert (results / "labels" / "confusion.png").read_bytes()[:4] == b"\x89PNG"
    index = (results / "label" / "index.html").read_text()
    assert 'href="sessions/s1.html"' in index and 'href="sessions/s2.html?mode=review"' in index
    page = (results / "label" / "sessions" / "s1.html").read_text()
    assert all(c in page for c in clips["s1"]) and "moving closer to the screen" in page  # the config's guide
