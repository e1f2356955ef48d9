"""The torch helper: device choice and its log line, precision, strict checkpoint loading, the registry."""

from __future__ import annotations

import logging
import pickle

import pytest
import torch

from engage.errors import ConfigError
from engage.torchutil import Registry, describe, load_weights_only, log_device, pick_device, pick_precision


def test_auto_device_follows_cuda_availability():
    assert pick_device("auto", config_key="x.device").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert pick_device("", config_key="x.device") == pick_device(None, config_key="x.device")
    assert pick_device("cpu", config_key="x.device") == torch.device("cpu")


@pytest.mark.parametrize("setting,problem", [("cuda:99", "i3d.device is 'cuda:99' but"),
                                             ("tpu", "i3d.device 'tpu' is not"), ("gpu", "i3d.device 'gpu' is not")])
def test_unavailable_or_unknown_device_is_a_config_error(setting, problem):
    with pytest.raises(ConfigError, match=problem):
        pick_device(setting, config_key="i3d.device")


def test_precision_and_the_one_log_line(caplog):
    cpu = torch.device("cpu")
    assert pick_precision(cpu, "auto", config_key="i3d.precision") == torch.float32
    assert pick_precision(cpu, "bf16", config_key="i3d.precision") == torch.bfloat16
    with pytest.raises(ConfigError, match="i3d.precision 'fp8'"):
        pick_precision(cpu, "fp8", config_key="i3d.precision")
    assert describe(cpu) == "device cpu, precision fp32"
    assert describe(cpu, torch.float16) == "device cpu, precision fp16 autocast"
    with caplog.at_level(logging.INFO):
        log_device(logging.getLogger("engage.test"), "asd", cpu)
    assert caplog.messages == ["asd: device cpu, precision fp32"]


def test_checkpoints_load_tensors_only(tmp_path):
    good = tmp_path / "good.pt"
    torch.save({"w": torch.ones(2)}, good)
    assert torch.equal(load_weights_only(good, what="test checkpoint")["w"], torch.ones(2))

    class Code:  # a pickle that would run code on load
        def __reduce__(self):
            return (print, ("pwned",))

    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps(Code()))
    for path in (evil, tmp_path / "missing.pt"):
        with pytest.raises(ConfigError, match=r"cannot read test checkpoint .*torch.load\(weights_only=True\)") as e:
            load_weights_only(path, what="test checkpoint")
        assert "\n" not in str(e.value)


def test_registry_by_config_name():
    reg: Registry = Registry("widget", "w.model")

    @reg.register("small")
    class Small:
        pass

    assert reg.get("small") is Small and reg.names() == ["small"]
    with pytest.raises(ConfigError, match=r"unknown widget 'big' \(config w.model\); valid: small"):
        reg.get("big")
    with pytest.raises(ValueError, match="registered twice"):
        reg.register("small")(type("Other", (), {}))
