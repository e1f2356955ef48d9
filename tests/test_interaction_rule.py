"""Rule wiring: the real `interaction` rule runs its script on hand-made upstream outputs.

Upstream rules are excluded with --allowed-rules, so the hand-made clips/utterances/layout files
are used as they are (the full-pipeline check lives in tests/e2e/test_interaction_e2e.py).
"""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq

from conftest import DATA, REPO, run_snakemake
from engage.io.parquet import read_meta
from test_interaction_stage import CHAT, PARTICIPANTS, _write_inputs


def _args(tmp_path, interaction_yaml):
    """Snakemake options (after the targets: --configfile/--allowed-rules take several values)."""
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(f"interaction:\n  {interaction_yaml}\n")
    return ["--cores", "1", "--configfile", str(REPO / "config.yaml"), str(overlay), "--allowed-rules", "interaction"]


def test_rule_runs_with_optional_chat_and_without(tmp_path):
    sessions, results = tmp_path / "sessions", tmp_path / "results"
    for s in ("withchat", "nochat"):
        (sessions / s).mkdir(parents=True)
        _write_inputs(results / s)
    (sessions / "withchat" / "chat.txt").write_text(CHAT, encoding="utf-8")
    (sessions / "withchat" / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    targets = [str(results / s / f) for s in ("withchat", "nochat")
               for f in ("features/interaction.parquet", "participation.csv", "participation.png")]
    run_snakemake(*targets, *_args(tmp_path, "history_s: 60"), config={"sessions_dir": sessions, "results_dir": results},
                  cwd=tmp_path)
    with_chat = pq.read_table(results / "withchat" / "features" / "interaction.parquet")
    no_chat = pq.read_table(results / "nochat" / "features" / "interaction.parquet")
    assert with_chat.num_rows == no_chat.num_rows == 12
    assert sum(with_chat.column("chat_messages").to_pylist()) == 3  # p00 at 2 and 36 s, p01 at 27 s
    assert no_chat.column("chat_messages").null_count == 12
    meta = read_meta(results / "withchat" / "features" / "interaction.parquet")
    assert meta["history_s"] == 60 and meta["chat_unmatched"] == 1 and meta["stage"] == "interaction"
    assert (results / "logs" / "interaction" / "withchat.log").read_text().count("not matched to a person") == 1
    assert (results / "benchmarks" / "interaction" / "nochat.tsv").exists()


def test_rule_reports_garbled_chat_in_strict_mode(tmp_path):
    sessions, results = tmp_path / "sessions", tmp_path / "results"
    (sessions / "s1").mkdir(parents=True)
    _write_inputs(results / "s1")
    shutil.copy(DATA / "chat" / "zoom_garbled.txt", sessions / "s1" / "chat.txt")
    res = run_snakemake(str(results / "s1" / "participation.csv"), *_args(tmp_path, "strict_chat: true"),
                        config={"sessions_dir": sessions, "results_dir": results}, cwd=tmp_path, check=False)
    assert res.returncode != 0
    assert "ERROR [interaction] session 's1'" in res.stderr and "garbled chat line 2" in res.stderr
