"""The config schema documents every key, and docs/config.md is generated from it."""

import yaml

from engage.configdoc import SCHEMA, render
from conftest import REPO


def _walk(props, prefix=""):
    for key, spec in props.items():
        yield prefix + key, spec
        if spec.get("type") == "object" and "properties" in spec:
            yield from _walk(spec["properties"], prefix + key + ".")


def test_every_key_has_description_and_default():
    schema = yaml.safe_load(SCHEMA.read_text())
    assert schema.get("additionalProperties") is False
    missing = [k for k, s in _walk(schema["properties"]) if not s.get("description") or "default" not in s]
    assert not missing, f"keys without description/default: {missing}"


def test_every_config_yaml_key_is_in_schema():
    schema = yaml.safe_load(SCHEMA.read_text())
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    known = {k for k, _ in _walk(schema["properties"])}

    def keys(d, prefix=""):
        for k, v in d.items():
            yield prefix + k
            if isinstance(v, dict) and (prefix + k) in known and "properties" in dict(_walk(schema["properties"]))[prefix + k]:
                yield from keys(v, prefix + k + ".")

    unknown = [k for k in keys(config) if k not in known]
    assert not unknown, unknown


def test_docs_config_md_is_up_to_date():
    assert (REPO / "docs" / "config.md").read_text() == render(), "run: python -m engage.configdoc > docs/config.md"
