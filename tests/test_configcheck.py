"""Nested --config values (strings from YAML's base loader) validate as the schema's types, and a bad
config is one readable line."""

import yaml

from engage.configcheck import coerce_config_strings, config_error_line
from engage.configdoc import SCHEMA


def _schema():
    return yaml.safe_load(SCHEMA.read_text())


def test_nested_cli_strings_become_the_schema_types():
    # what snakemake makes of: --config 'clips={target_s: 8.0, crf: 23, preset: fast}'
    # 'ingest={require_audio: true}' 'train={audio_epochs: null, only_runs: [a, b]}' 'runs={r1: {loss: ce, audio: "false"}}'
    cli = {"clips": {"target_s": "8.0", "crf": "23", "preset": "fast", "min_s": "4"},
           "ingest": {"require_audio": "true"},
           "train": {"audio_epochs": "null", "momentum_reference_steps": "47000", "lr": "5e-4", "only_runs": ["a", "b"]},
           "runs": {"r1": {"loss": "ce", "audio": "False"}},
           "predict": {"device": "0", "sha256": "123"},
           "sessions_dir": "2024"}
    out = coerce_config_strings(cli, _schema())
    assert out["clips"] == {"target_s": 8.0, "crf": 23, "preset": "fast", "min_s": 4}
    assert type(out["clips"]["target_s"]) is float and type(out["clips"]["crf"]) is int
    assert out["ingest"]["require_audio"] is True
    assert out["train"] == {"audio_epochs": None, "momentum_reference_steps": 47000, "lr": 5e-4, "only_runs": ["a", "b"]}
    assert out["runs"]["r1"] == {"loss": "ce", "audio": False}
    assert out["predict"] == {"device": "0", "sha256": "123"}  # string keys stay strings
    assert out["sessions_dir"] == "2024"
    assert cli["clips"]["target_s"] == "8.0"  # the input is not modified
    assert config_error_line(out, _schema()) is None


def test_strings_that_are_not_numbers_are_left_for_validation():
    schema = _schema()
    for bad in ("abc", "8,0", "nan", "inf", "1e999", ""):
        assert coerce_config_strings({"clips": {"target_s": bad}}, schema)["clips"]["target_s"] == bad
    assert coerce_config_strings({"clips": {"crf": "23.5"}}, schema)["clips"]["crf"] == "23.5"  # integer key
    assert coerce_config_strings({"unknown": {"x": "1"}}, schema) == {"unknown": {"x": "1"}}


def test_config_error_is_one_line_naming_the_key():
    schema = _schema()
    line = config_error_line({"clips": {"target_s": "abc"}}, schema)
    assert line.startswith("key clips.target_s: 'abc' is not of type 'number'") and "docs/config.md" in line
    assert "\n" not in line and "Failed validating" not in line
    line = config_error_line({"clips": {"tagret_s": 8.0}}, schema)
    assert line.startswith("key clips: Additional properties are not allowed ('tagret_s' was unexpected)")
    line = config_error_line({"runs": {"r": {"loss": "ce", "model": "x" * 2000}}}, schema)
    assert len(line) < 300
